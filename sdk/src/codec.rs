//! Borsh encoding and decoding of the types a script passes across the boundary
//! (`spec/abi.md#encodings`; contract 1 of `spec/abi.md#script-abi`): integers little-endian,
//! `bool` as one byte 0 or 1, 32-byte values as they are, arrays element by element, `Option` as
//! 0 or 1 then the value, tuples and records field by field, unit enums as a `u8` tag.
//!
//! **Note:** the SDK does not use the `borsh` crate: its decoding API is built on `alloc` and an
//! `io::Read`, and a script here has no allocator. These two small traits cover every fixed-size
//! type of contract 1 without allocating; `&str` and `&[u8]` encode (length-prefixed) for return
//! data and events, and are not decoded (a script has nowhere to keep them).

/// A cursor over borsh bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub const fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// The next `n` bytes, or `None` past the end.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Some(out)
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.pos == self.data.len()
    }
}

/// A writer into a fixed buffer; writing past its end marks it overflowed instead of failing.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflowed: bool,
}

impl<'a> Writer<'a> {
    /// An empty writer over `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0, overflowed: false }
    }

    /// Appends `bytes` (or marks the writer overflowed).
    pub fn put(&mut self, bytes: &[u8]) {
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(dst) if !self.overflowed => {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            _ => self.overflowed = true,
        }
    }

    /// Marks the writer overflowed: what is being written cannot be encoded.
    pub fn fail(&mut self) {
        self.overflowed = true;
    }

    /// The bytes written, or `None` if something did not fit.
    pub fn finish(self) -> Option<&'a [u8]> {
        if self.overflowed {
            None
        } else {
            Some(&self.buf[..self.len])
        }
    }
}

/// A value with a borsh encoding.
pub trait Encode {
    /// Appends the borsh encoding of `self`.
    fn encode(&self, w: &mut Writer<'_>);
}

/// A value decoded from borsh.
pub trait Decode: Sized {
    /// Reads one value, or `None` if the bytes are not a valid encoding.
    fn decode(r: &mut Reader<'_>) -> Option<Self>;

    /// Decodes exactly `bytes`: `None` if they are invalid or longer than one value.
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader::new(bytes);
        let v = Self::decode(&mut r)?;
        r.is_empty().then_some(v)
    }
}

macro_rules! ints {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode(&self, w: &mut Writer<'_>) {
                w.put(&self.to_le_bytes());
            }
        }
        impl Decode for $t {
            fn decode(r: &mut Reader<'_>) -> Option<Self> {
                Some(<$t>::from_le_bytes(r.array()?))
            }
        }
    )*};
}
ints!(u8, u16, u32, u64, u128, i8, i16, i32, i64);

impl Encode for bool {
    fn encode(&self, w: &mut Writer<'_>) {
        w.put(&[u8::from(*self)]);
    }
}

impl Decode for bool {
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        match r.array::<1>()? {
            [0] => Some(false),
            [1] => Some(true),
            _ => None,
        }
    }
}

impl Encode for () {
    fn encode(&self, _: &mut Writer<'_>) {}
}

impl<T: Encode, const N: usize> Encode for [T; N] {
    fn encode(&self, w: &mut Writer<'_>) {
        for x in self {
            x.encode(w);
        }
    }
}

impl<T: Decode + Copy + Default, const N: usize> Decode for [T; N] {
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        let mut out = [T::default(); N];
        for x in &mut out {
            *x = T::decode(r)?;
        }
        Some(out)
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, w: &mut Writer<'_>) {
        match self {
            None => w.put(&[0]),
            Some(v) => {
                w.put(&[1]);
                v.encode(w);
            }
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(r: &mut Reader<'_>) -> Option<Self> {
        match r.array::<1>()? {
            [0] => Some(None),
            [1] => Some(Some(T::decode(r)?)),
            _ => None,
        }
    }
}

/// `string`: a `u32` length, then the UTF-8 bytes.
impl Encode for str {
    fn encode(&self, w: &mut Writer<'_>) {
        self.as_bytes().encode(w);
    }
}

/// `bytes`: a `u32` length, then the bytes.
impl Encode for [u8] {
    fn encode(&self, w: &mut Writer<'_>) {
        match u32::try_from(self.len()) {
            Ok(n) => {
                w.put(&n.to_le_bytes());
                w.put(self);
            }
            // Longer than a `u32` can count: it fits no buffer either.
            Err(_) => w.fail(),
        }
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, w: &mut Writer<'_>) {
        (**self).encode(w);
    }
}

macro_rules! tuples {
    ($(($($n:ident),+))*) => {$(
        impl<$($n: Encode),+> Encode for ($($n,)+) {
            #[allow(non_snake_case)]
            fn encode(&self, w: &mut Writer<'_>) {
                let ($($n,)+) = self;
                $($n.encode(w);)+
            }
        }
        impl<$($n: Decode),+> Decode for ($($n,)+) {
            fn decode(r: &mut Reader<'_>) -> Option<Self> {
                Some(($($n::decode(r)?,)+))
            }
        }
    )*};
}
tuples!((A)(A, B)(A, B, C)(A, B, C, D)(A, B, C, D, E)(A, B, C, D, E, F)(A, B, C, D, E, F, G)(
    A, B, C, D, E, F, G, H
));

impl Decode for () {
    fn decode(_: &mut Reader<'_>) -> Option<Self> {
        Some(())
    }
}
