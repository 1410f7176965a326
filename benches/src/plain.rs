//! Baseline (a) of the transfer bench: the example token script on plain wasmi 2.0, uninstrumented,
//! no gas, with host functions doing the same state work as tsvm's (an overlay over the same
//! [`InMemoryState`] that remembers what it read, events, and at the end the same sorted
//! [`StateDiff`]), a cached module and a fresh store and instance per call.
//!
//! What it leaves out is exactly tsvm's own work: gas (instrumented code, host-side charges), limit
//! checks, the rules hash, the module-cache lookup and the receipt.

use crate::plain_engine;
use abi::{Address, DiffEntry, Event, Operation, StateDiff, StateKey, TokenId};
use std::collections::BTreeMap;
use vm::{InMemoryState, StateView};
use wasmi::{Caller, Engine, Extern, Func, Instance, Memory, Module, Store, TypedFunc};

/// What a plain run computes: the events and the diff (nothing is applied).
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Events, in order.
    pub events: Vec<Event>,
    /// The sorted diff, no-op writes dropped.
    pub diff: StateDiff,
}

/// An overlay over a read-only state, as tsvm's: reads remembered, writes pending.
pub struct Overlay<'s> {
    state: &'s InMemoryState,
    token: TokenId,
    base: BTreeMap<StateKey, Option<Vec<u8>>>,
    writes: BTreeMap<StateKey, Option<Vec<u8>>>,
}

impl<'s> Overlay<'s> {
    /// An empty overlay over `state`, for `token`.
    pub fn new(state: &'s InMemoryState, token: TokenId) -> Self {
        Self { state, token, base: BTreeMap::new(), writes: BTreeMap::new() }
    }

    fn base_value(&mut self, key: &StateKey) -> Option<Vec<u8>> {
        if let Some(v) = self.base.get(key) {
            return v.clone();
        }
        // The in-memory state cannot fail.
        let v = match key {
            StateKey::Balance { token, account } => {
                Some(self.state.balance(token, account).unwrap_or(0).to_le_bytes().to_vec())
            }
            StateKey::Supply { token } => Some(self.state.supply(token).unwrap_or(0).to_le_bytes().to_vec()),
            StateKey::Storage { token, key } => self.state.storage(token, key).ok().flatten(),
        };
        self.base.insert(key.clone(), v.clone());
        v
    }

    fn get(&mut self, key: &StateKey) -> Option<Vec<u8>> {
        match self.writes.get(key) {
            Some(v) => v.clone(),
            None => self.base_value(key),
        }
    }

    fn set(&mut self, key: StateKey, value: Option<Vec<u8>>) {
        self.base_value(&key);
        self.writes.insert(key, value);
    }

    /// A script storage entry.
    pub fn storage(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.get(&StateKey::Storage { token: self.token, key: key.to_vec() })
    }

    /// Writes a script storage entry.
    pub fn set_storage(&mut self, key: &[u8], value: Vec<u8>) {
        self.set(StateKey::Storage { token: self.token, key: key.to_vec() }, Some(value));
    }

    fn balance(&mut self, account: &Address) -> u128 {
        let v = self.get(&StateKey::Balance { token: self.token, account: *account });
        v.and_then(|b| <[u8; 16]>::try_from(b).ok()).map(u128::from_le_bytes).unwrap_or(0)
    }

    fn set_balance(&mut self, account: &Address, amount: u128) {
        self.set(
            StateKey::Balance { token: self.token, account: *account },
            Some(amount.to_le_bytes().to_vec()),
        );
    }

    /// The native transfer with tsvm's checks (`spec/abi.md#mutations`); `false` if rejected.
    pub fn transfer(&mut self, from: &Address, to: &Address, amount: u128) -> bool {
        let from_balance = self.balance(from);
        if amount == 0 || from_balance < amount {
            return false;
        }
        if from == to {
            return true;
        }
        let Some(to_balance) = self.balance(to).checked_add(amount) else { return false };
        self.set_balance(from, from_balance - amount);
        self.set_balance(to, to_balance);
        true
    }

    /// The canonical diff.
    pub fn diff(&self) -> StateDiff {
        StateDiff(
            self.writes
                .iter()
                .filter_map(|(key, new)| {
                    let old = self.base.get(key).cloned().flatten();
                    (old != *new).then(|| DiffEntry { key: key.clone(), old, new: new.clone() })
                })
                .collect(),
        )
    }
}

/// The store data of a plain run.
pub struct Host<'s> {
    input: Vec<u8>,
    overlay: Overlay<'s>,
    events: Vec<Event>,
    memory: Option<Memory>,
    caller: Address,
    owner: Address,
}

type C<'c, 's> = Caller<'c, Host<'s>>;
type R<T> = Result<T, wasmi::Error>;

fn mem<'c, 's>(c: &C<'c, 's>) -> R<Memory> {
    c.data().memory.ok_or_else(|| wasmi::Error::new("no memory"))
}

fn read(c: &C<'_, '_>, ptr: i32, len: i32) -> R<Vec<u8>> {
    let (start, len) = (ptr as u32 as usize, len as u32 as usize);
    let memory = mem(c)?;
    memory.data(c).get(start..start + len).map(<[u8]>::to_vec).ok_or_else(|| wasmi::Error::new("bad pointer"))
}

fn write(c: &mut C<'_, '_>, ptr: i32, bytes: &[u8]) -> R<()> {
    let start = ptr as u32 as usize;
    let memory = mem(c)?;
    let dst = memory
        .data_mut(c)
        .get_mut(start..start + bytes.len())
        .ok_or_else(|| wasmi::Error::new("bad pointer"))?;
    dst.copy_from_slice(bytes);
    Ok(())
}

/// The externs for `examples/token.wat`'s imports, in its import order.
fn imports(store: &mut Store<Host<'_>>) -> Vec<Extern> {
    let s = &mut *store;
    let fs = [
        Func::wrap(&mut *s, |c: C<'_, '_>| -> R<i32> { Ok(c.data().input.len() as i32) }),
        Func::wrap(&mut *s, |mut c: C<'_, '_>, dst: i32, offset: i32, len: i32| -> R<()> {
            let (offset, len) = (offset as u32 as usize, len as u32 as usize);
            let input = std::mem::take(&mut c.data_mut().input);
            let result = match input.get(offset..offset + len) {
                Some(bytes) => write(&mut c, dst, bytes),
                None => Err(wasmi::Error::new("bad pointer")),
            };
            c.data_mut().input = input;
            result
        }),
        Func::wrap(&mut *s, |c: C<'_, '_>, ptr: i32, len: i32| -> R<()> { read(&c, ptr, len).map(drop) }),
        Func::wrap(&mut *s, |c: C<'_, '_>, ptr: i32, len: i32| -> R<()> {
            let reason = read(&c, ptr, len)?;
            Err(wasmi::Error::new(format!("reverted: {}", String::from_utf8_lossy(&reason))))
        }),
        Func::wrap(&mut *s, |mut c: C<'_, '_>, key: i32, key_len: i32, dst: i32, cap: i32| -> R<i32> {
            let key = read(&c, key, key_len)?;
            match c.data_mut().overlay.storage(&key) {
                None => Ok(-1),
                Some(value) => {
                    let n = value.len().min(cap as u32 as usize);
                    write(&mut c, dst, &value[..n])?;
                    Ok(value.len() as i32)
                }
            }
        }),
        Func::wrap(&mut *s, |mut c: C<'_, '_>, key: i32, key_len: i32, val: i32, val_len: i32| -> R<()> {
            let key = read(&c, key, key_len)?;
            let value = read(&c, val, val_len)?;
            c.data_mut().overlay.set_storage(&key, value);
            Ok(())
        }),
        Func::wrap(
            &mut *s,
            |mut c: C<'_, '_>, topic: i32, topic_len: i32, data: i32, data_len: i32| -> R<()> {
                let topic = read(&c, topic, topic_len)?;
                let data = read(&c, data, data_len)?;
                c.data_mut().events.push(Event { topic, data });
                Ok(())
            },
        ),
        Func::wrap(&mut *s, |mut c: C<'_, '_>, dst: i32| -> R<()> {
            let v = c.data().caller.0;
            write(&mut c, dst, &v)
        }),
        Func::wrap(&mut *s, |mut c: C<'_, '_>, dst: i32| -> R<()> {
            let v = c.data().owner.0;
            write(&mut c, dst, &v)
        }),
        Func::wrap(&mut *s, |_: C<'_, '_>, _: i32, _: i64, _: i64| -> R<()> {
            Err(wasmi::Error::new("mint is not part of the transfer bench"))
        }),
    ];
    fs.into_iter().map(Extern::Func).collect()
}

/// The example token script compiled once for plain wasmi.
pub struct PlainToken {
    engine: Engine,
    module: Module,
}

impl Default for PlainToken {
    fn default() -> Self {
        Self::new()
    }
}

impl PlainToken {
    /// Compiles `examples/token.wat` on a [`plain_engine`] without fuel.
    ///
    /// # Panics
    /// If the example does not compile (a broken checkout).
    pub fn new() -> Self {
        let engine = plain_engine(false);
        let module = Module::new(&engine, crate::fixtures::token_wasm()).expect("token script compiles");
        Self { engine, module }
    }

    /// One transfer operation: a fresh store and instance, `before_transfer`, the native transfer,
    /// `after_transfer`, then the diff.
    ///
    /// # Errors
    /// A trap, a revert or a rejected transfer (the fixture does none).
    pub fn transfer(
        &self,
        state: &InMemoryState,
        token: TokenId,
        caller: Address,
        op: &Operation,
    ) -> R<Outcome> {
        let Operation::Transfer { from, to, amount } = op else {
            return Err(wasmi::Error::new("not a transfer"));
        };
        let owner = state
            .tokens
            .get(&token)
            .map(|t| t.info.owner)
            .ok_or_else(|| wasmi::Error::new("unknown token"))?;
        let host = Host {
            input: borsh::to_vec(op).unwrap_or_default(),
            overlay: Overlay::new(state, token),
            events: Vec::new(),
            memory: None,
            caller,
            owner,
        };
        let mut store = Store::new(&self.engine, host);
        let externs = imports(&mut store);
        let instance = Instance::new(&mut store, &self.module, &externs)?;
        store.data_mut().memory = instance.get_memory(&store, "memory");
        let before: TypedFunc<(), ()> = instance.get_typed_func(&store, "before_transfer")?;
        let after: TypedFunc<(), ()> = instance.get_typed_func(&store, "after_transfer")?;
        before.call(&mut store, ())?;
        if !store.data_mut().overlay.transfer(from, to, *amount) {
            return Err(wasmi::Error::new("transfer rejected"));
        }
        after.call(&mut store, ())?;
        let host = store.into_data();
        Ok(Outcome { diff: host.overlay.diff(), events: host.events })
    }
}

/// A reference point only, not a tsvm candidate: one instance reused across transfers, with the
/// host data reset but linear memory and globals left as the last call left them (the issue allows
/// reuse only with a reset proven equivalent to a fresh instance; this one is not).
pub struct ReusedToken<'s> {
    store: Store<Host<'s>>,
    before: TypedFunc<(), ()>,
    after: TypedFunc<(), ()>,
    state: &'s InMemoryState,
    token: TokenId,
}

impl PlainToken {
    /// An instance over `state` for repeated [`ReusedToken::transfer`] calls.
    ///
    /// # Errors
    /// Instantiation failed.
    pub fn reused<'s>(
        &self,
        state: &'s InMemoryState,
        token: TokenId,
        caller: Address,
    ) -> R<ReusedToken<'s>> {
        let owner = state
            .tokens
            .get(&token)
            .map(|t| t.info.owner)
            .ok_or_else(|| wasmi::Error::new("unknown token"))?;
        let host = Host {
            input: Vec::new(),
            overlay: Overlay::new(state, token),
            events: Vec::new(),
            memory: None,
            caller,
            owner,
        };
        let mut store = Store::new(&self.engine, host);
        let externs = imports(&mut store);
        let instance = Instance::new(&mut store, &self.module, &externs)?;
        store.data_mut().memory = instance.get_memory(&store, "memory");
        let before = instance.get_typed_func(&store, "before_transfer")?;
        let after = instance.get_typed_func(&store, "after_transfer")?;
        Ok(ReusedToken { store, before, after, state, token })
    }
}

impl ReusedToken<'_> {
    /// As [`PlainToken::transfer`] on the reused instance.
    ///
    /// # Errors
    /// As [`PlainToken::transfer`].
    pub fn transfer(&mut self, op: &Operation) -> R<Outcome> {
        let Operation::Transfer { from, to, amount } = op else {
            return Err(wasmi::Error::new("not a transfer"));
        };
        let host = self.store.data_mut();
        host.input = borsh::to_vec(op).unwrap_or_default();
        host.overlay = Overlay::new(self.state, self.token);
        host.events.clear();
        self.before.call(&mut self.store, ())?;
        if !self.store.data_mut().overlay.transfer(from, to, *amount) {
            return Err(wasmi::Error::new("transfer rejected"));
        }
        self.after.call(&mut self.store, ())?;
        let host = self.store.data_mut();
        Ok(Outcome { diff: host.overlay.diff(), events: std::mem::take(&mut host.events) })
    }
}
