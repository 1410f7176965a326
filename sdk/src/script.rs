//! Declaring a script: [`crate::script!`] (entry points and the `tsvm.abi` section),
//! [`crate::record!`] (a struct with borsh and an ABI type) and [`crate::unit_enum!`].
//!
//! `macro_rules!` rather than a proc-macro: the grammar is small, and a script's build then needs
//! no proc-macro crates (nothing to compile for the host, nothing to pin).

/// Declares a script: its name, events, storage, hooks, views and methods. One per crate: it
/// emits the module's one `tsvm.abi` custom section (`spec/abi.md#script-abi`), and the exports.
///
/// ```ignore
/// tsvm_sdk::script! {
///     name = "counter";
///     events { "counted": u64 }
///     storage { "count": u64, "seen/" => Address: bool }
///     hooks {
///         fn before_transfer(op: Operation) { /* ... */ }
///     }
///     views {
///         fn count() -> u64 { storage::get_or("count", 0u64) }
///     }
///     methods {
///         fn reset(to: u64) { /* ... */ }
///     }
/// }
/// ```
///
/// Every section but `name` is optional; they come in this order. A hook is a function of the
/// hook's name (`before_transfer`, ... `on_approve`) taking the decoded [`crate::Operation`]; it is
/// exported under its name. A view `NAME` is exported as `view_NAME`, a method as `method_NAME`:
/// the export reads the input, decodes the arguments as the borsh of their tuple (reverting with
/// `bad args` if the input is anything else), calls the function and, if it declares a
/// return type, sets the return data to the borsh of its result. A wrong hook name or an invalid
/// view or method name is a compile error. Argument and return types implement
/// [`crate::codec::Decode`] / [`crate::codec::Encode`] and [`crate::abi::AbiType`].
#[macro_export]
macro_rules! script {
    (
        name = $name:literal;
        $(events { $($topic:literal : $ety:ty),* $(,)? })?
        $(storage { $($skey:literal $(=> $kty:ty)? : $sty:ty),* $(,)? })?
        $(hooks { $( $(#[$hm:meta])* fn $hook:ident ($op:ident : $opty:ty) $hbody:block )* })?
        $(views { $( $(#[$vm:meta])* fn $view:ident ( $($va:ident : $vt:ty),* $(,)? ) $(-> $vr:ty)? $vbody:block )* })?
        $(methods { $( $(#[$mm:meta])* fn $method:ident ( $($ma:ident : $mt:ty),* $(,)? ) $(-> $mr:ty)? $mbody:block )* })?
    ) => {
        $($(
            $(#[$hm])* fn $hook($op: $opty) $hbody
            const _: () = {
                assert!($crate::abi::is_hook(stringify!($hook)), concat!("`", stringify!($hook), "` is not a hook"));
                #[export_name = stringify!($hook)]
                extern "C" fn __tsvm_entry() {
                    $hook($crate::env::operation())
                }
            };
        )*)?
        $($(
            $(#[$vm])* fn $view($($va: $vt),*) $(-> $vr)? $vbody
            $crate::__tsvm_entry!("view", $view($($va: $vt),*) $(-> $vr)?);
        )*)?
        $($(
            $(#[$mm])* fn $method($($ma: $mt),*) $(-> $mr)? $mbody
            $crate::__tsvm_entry!("method", $method($($ma: $mt),*) $(-> $mr)?);
        )*)?
        const _: () = {
            const ABI: $crate::abi::Abi = $crate::abi::Abi {
                name: $name,
                hooks: &[$($(stringify!($hook)),*)?],
                views: &[$($($crate::abi::Entry {
                    name: stringify!($view),
                    args: &[$($crate::abi::Field { name: stringify!($va), ty: &<$vt as $crate::abi::AbiType>::TY }),*],
                    returns: $crate::__tsvm_ty!($($vr)?),
                }),*)?],
                methods: &[$($($crate::abi::Entry {
                    name: stringify!($method),
                    args: &[$($crate::abi::Field { name: stringify!($ma), ty: &<$mt as $crate::abi::AbiType>::TY }),*],
                    returns: $crate::__tsvm_ty!($($mr)?),
                }),*)?],
                events: &[$($($crate::abi::EventDecl { topic: $topic, ty: &<$ety as $crate::abi::AbiType>::TY }),*)?],
                storage: &[$($($crate::abi::StorageDecl {
                    key: $skey,
                    key_type: $crate::__tsvm_ty!($($kty)?),
                    ty: &<$sty as $crate::abi::AbiType>::TY,
                }),*)?],
            };
            const JSON: $crate::abi::Json = $crate::abi::Json::of(&ABI);
            // Not `#[used]`: that would also copy the JSON into the data segment. A wasm
            // `link_section` static is kept as a custom section as it is.
            #[link_section = "tsvm.abi"]
            static SECTION: [u8; JSON.len] = JSON.bytes();
        };
    };
}

/// The export `<kind>_<name>` of a view or method: decodes the arguments, calls the function,
/// returns its result; a compile error if the name is invalid.
#[doc(hidden)]
#[macro_export]
macro_rules! __tsvm_entry {
    ($kind:literal, $name:ident($($a:ident: $t:ty),*) $(-> $r:ty)?) => {
        const _: () = {
            assert!(
                $crate::abi::is_entry_name(stringify!($name)),
                concat!("invalid ", $kind, " name `", stringify!($name), "`")
            );
            #[export_name = concat!($kind, "_", stringify!($name))]
            extern "C" fn __tsvm_entry() {
                let ($($a,)*): ($($t,)*) = $crate::env::args();
                let out = $name($($a),*);
                $crate::__tsvm_return!(out $(, $r)?);
            }
        };
    };
}

/// `Some(&T::TY)` for a type, `None` for none (a return type or a storage prefix's key type).
#[doc(hidden)]
#[macro_export]
macro_rules! __tsvm_ty {
    () => {
        None
    };
    ($t:ty) => {
        Some(&<$t as $crate::abi::AbiType>::TY)
    };
}

/// Sets the return data to the borsh of a declared return type; checks `()` otherwise.
#[doc(hidden)]
#[macro_export]
macro_rules! __tsvm_return {
    ($out:ident) => {
        let () = $out;
    };
    ($out:ident, $t:ty) => {
        $crate::env::return_value::<$t>(&$out)
    };
}

/// A struct with a borsh encoding (its fields in order) and a contract-1 `struct` type.
///
/// ```ignore
/// tsvm_sdk::record! {
///     #[derive(Clone, Copy, PartialEq, Eq, Debug)]
///     pub struct Deal { pub buyer: Address, pub amount: Amount }
/// }
/// ```
#[macro_export]
macro_rules! record {
    ($(#[$m:meta])* $vis:vis struct $name:ident { $($(#[$fm:meta])* $fvis:vis $field:ident : $fty:ty),* $(,)? }) => {
        $(#[$m])*
        $vis struct $name { $($(#[$fm])* $fvis $field: $fty),* }

        impl $crate::codec::Encode for $name {
            fn encode(&self, w: &mut $crate::codec::Writer<'_>) {
                $($crate::codec::Encode::encode(&self.$field, w);)*
            }
        }

        impl $crate::codec::Decode for $name {
            fn decode(r: &mut $crate::codec::Reader<'_>) -> Option<Self> {
                Some(Self { $($field: <$fty as $crate::codec::Decode>::decode(r)?),* })
            }
        }

        impl $crate::abi::AbiType for $name {
            const TY: $crate::abi::Ty = $crate::abi::Ty::Struct(&[
                $($crate::abi::Field { name: stringify!($field), ty: &<$fty as $crate::abi::AbiType>::TY }),*
            ]);
        }
    };
}

/// An enum of unit variants, encoded as its variant index (`u8`), with a contract-1 `enum` type.
///
/// ```ignore
/// tsvm_sdk::unit_enum! { pub enum Status { Open, Funded, Released, Refunded } }
/// ```
#[macro_export]
macro_rules! unit_enum {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        #[repr(u8)]
        $vis enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
        }

        impl $crate::codec::Encode for $name {
            fn encode(&self, w: &mut $crate::codec::Writer<'_>) {
                w.put(&[*self as u8]);
            }
        }

        impl $crate::codec::Decode for $name {
            fn decode(r: &mut $crate::codec::Reader<'_>) -> Option<Self> {
                let [tag] = r.array::<1>()?;
                Self::ALL.get(usize::from(tag)).copied()
            }
        }

        impl $crate::abi::AbiType for $name {
            const TY: $crate::abi::Ty = $crate::abi::Ty::Enum(&[$(stringify!($variant)),+]);
        }
    };
}
