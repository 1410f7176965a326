//! The host functions, one per entry of `abi::HOST_FUNCTIONS`, and the import list for an instance
//! (`spec/abi.md#host-functions`). Each is [`host_call`] around its own steps.

use super::{commit_checkpoints, host_call, Halt, Host, HostState};
use abi::{Address, ArgumentKind, Event, HostFnId, LimitKind, LogLevel, LogRecord, MutationOrigin};
use abi::{Operation, StatusCode};
use wasmi::{Caller, Extern, Func, Store};

type R<T> = Result<T, wasmi::Error>;
type C<'c, 'a> = Caller<'c, HostState<'a>>;

fn input_size(mut c: C<'_, '_>) -> R<i32> {
    host_call(&mut c, HostFnId::InputSize, &[], |h| Ok(h.state().input.len() as i32))
}

fn input_read(mut c: C<'_, '_>, dst: i32, offset: i32, len: i32) -> R<()> {
    host_call(&mut c, HostFnId::InputRead, &[dst.into(), offset.into(), len.into()], |h| {
        let (offset, len) = (offset as u32 as usize, len as u32 as usize);
        let end = offset.checked_add(len).filter(|&end| end <= h.state().input.len());
        let Some(end) = end else { return Err(Halt::Status(StatusCode::BadPointer)) };
        let dst = h.range(dst, len as u32)?;
        let input = std::mem::take(&mut h.state().input);
        let result = h.write(dst, &input[offset..end]);
        h.state().input = input;
        result
    })
}

fn return_data(mut c: C<'_, '_>, ptr: i32, len: i32) -> R<()> {
    host_call(&mut c, HostFnId::ReturnData, &[ptr.into(), len.into()], |h| {
        let len = h.limit(len, h.limits().max_return_data_len, LimitKind::MaxReturnDataLen)?;
        let range = h.range(ptr, len)?;
        let data = h.read(range)?;
        h.state().return_data = data;
        Ok(())
    })
}

fn revert(mut c: C<'_, '_>, ptr: i32, len: i32) -> R<()> {
    host_call(&mut c, HostFnId::Revert, &[ptr.into(), len.into()], |h| {
        let len = h.limit(len, h.limits().max_revert_reason_len, LimitKind::MaxRevertReasonLen)?;
        let range = h.range(ptr, len)?;
        let reason = h.read(range)?;
        h.state().revert_reason = reason;
        Err(Halt::Status(StatusCode::Reverted))
    })
}

/// `storage_read(key, key_len, dst, cap)`: both ranges, `[dst, dst + cap)` included, are checked
/// before any per-byte charge; the value's whole length is charged (it is read and traced whatever
/// `cap` is) before `min(length, cap)` bytes are copied (`spec/abi.md#host-functions`).
fn storage_read(mut c: C<'_, '_>, key: i32, key_len: i32, dst: i32, cap: i32) -> R<i32> {
    let args = [key.into(), key_len.into(), dst.into(), cap.into()];
    host_call(&mut c, HostFnId::StorageRead, &args, |h| {
        let key_len = h.limit(key_len, h.limits().max_key_len, LimitKind::MaxKeyLen)?;
        let key = h.range(key, key_len)?;
        let dst = h.range(dst, cap as u32)?;
        h.charge_bytes(key.len() as u64)?;
        Ok(match h.storage_read(key.clone())? {
            None => -1,
            Some(len) => {
                h.charge_bytes(len as u64)?;
                h.copy_storage_value(key, dst);
                len as i32
            }
        })
    })
}

fn storage_write(mut c: C<'_, '_>, key: i32, key_len: i32, val: i32, val_len: i32) -> R<()> {
    let args = [key.into(), key_len.into(), val.into(), val_len.into()];
    host_call(&mut c, HostFnId::StorageWrite, &args, |h| {
        h.require_writable()?;
        let key_len = h.limit(key_len, h.limits().max_key_len, LimitKind::MaxKeyLen)?;
        let val_len = h.limit(val_len, h.limits().max_value_len, LimitKind::MaxValueLen)?;
        let key = h.range(key, key_len)?;
        let value = h.range(val, val_len)?;
        // Both read from guest memory (step 5), key first; written from there, not copied out.
        h.charge_bytes(key.len() as u64)?;
        h.charge_bytes(value.len() as u64)?;
        replaced(h, key.clone())?;
        h.storage_write(key, Some(value))
    })
}

fn storage_remove(mut c: C<'_, '_>, key: i32, key_len: i32) -> R<()> {
    host_call(&mut c, HostFnId::StorageRemove, &[key.into(), key_len.into()], |h| {
        h.require_writable()?;
        let key_len = h.limit(key_len, h.limits().max_key_len, LimitKind::MaxKeyLen)?;
        let key = h.range(key, key_len)?;
        h.charge_bytes(key.len() as u64)?;
        replaced(h, key.clone())?;
        h.storage_write(key, None)
    })
}

/// Charges `storage_read`'s `per_byte` for the value a write or remove of the key at guest range
/// `key` replaces (`spec/abi.md#host-functions`): the node reads it, and the diff and the witness
/// carry it.
fn replaced(h: &mut Host<'_, '_, '_>, key: std::ops::Range<usize>) -> Result<(), Halt> {
    let old = h.storage_len(key)?;
    h.charge(HostFnId::StorageRead.spec().per_byte.saturating_mul(old as u64))
}

fn balance_of(mut c: C<'_, '_>, account: i32, dst: i32) -> R<()> {
    host_call(&mut c, HostFnId::BalanceOf, &[account.into(), dst.into()], |h| {
        let account = h.range(account, 32)?;
        let dst = h.range(dst, abi::amount::ENCODED_LEN as u32)?;
        let account = Address(h.read32(account)?);
        let state = h.state();
        let balance = state.overlay.balance(&mut state.observer, &account)?;
        h.write(dst, &abi::amount::encode(balance))
    })
}

fn total_supply(mut c: C<'_, '_>, dst: i32) -> R<()> {
    host_call(&mut c, HostFnId::TotalSupply, &[dst.into()], |h| {
        let dst = h.range(dst, abi::amount::ENCODED_LEN as u32)?;
        let state = h.state();
        let supply = state.overlay.supply(&mut state.observer)?;
        h.write(dst, &abi::amount::encode(supply))
    })
}

/// Applies a script's mutation request (`spec/abi.md#mutations`).
fn mutate(h: &mut Host<'_, '_, '_>, op: Operation) -> Result<(), Halt> {
    h.state().mutate(MutationOrigin::Script, &op)
}

fn transfer(mut c: C<'_, '_>, from: i32, to: i32, lo: i64, hi: i64) -> R<()> {
    host_call(&mut c, HostFnId::Transfer, &[from.into(), to.into(), lo, hi], |h| {
        h.require_writable()?;
        let from = h.range(from, 32)?;
        let to = h.range(to, 32)?;
        let from = Address(h.read32(from)?);
        let to = Address(h.read32(to)?);
        mutate(h, Operation::Transfer { from, to, amount: abi::amount::from_halves(lo, hi) })
    })
}

fn mint(mut c: C<'_, '_>, to: i32, lo: i64, hi: i64) -> R<()> {
    host_call(&mut c, HostFnId::Mint, &[to.into(), lo, hi], |h| {
        h.require_writable()?;
        let to = h.range(to, 32)?;
        let to = Address(h.read32(to)?);
        mutate(h, Operation::Mint { to, amount: abi::amount::from_halves(lo, hi) })
    })
}

fn burn(mut c: C<'_, '_>, from: i32, lo: i64, hi: i64) -> R<()> {
    host_call(&mut c, HostFnId::Burn, &[from.into(), lo, hi], |h| {
        h.require_writable()?;
        let from = h.range(from, 32)?;
        let from = Address(h.read32(from)?);
        mutate(h, Operation::Burn { from, amount: abi::amount::from_halves(lo, hi) })
    })
}

fn emit_event(mut c: C<'_, '_>, topic: i32, topic_len: i32, data: i32, data_len: i32) -> R<()> {
    let args = [topic.into(), topic_len.into(), data.into(), data_len.into()];
    host_call(&mut c, HostFnId::EmitEvent, &args, |h| {
        h.require_writable()?;
        if h.state().events.len() >= h.limits().max_events as usize {
            return Err(h.exceeded(LimitKind::MaxEvents));
        }
        let topic_len = h.limit(topic_len, h.limits().max_event_topic_len, LimitKind::MaxEventTopicLen)?;
        let data_len = h.limit(data_len, h.limits().max_event_data_len, LimitKind::MaxEventDataLen)?;
        let topic = h.range(topic, topic_len)?;
        let data = h.range(data, data_len)?;
        let topic = h.read(topic)?;
        let data = h.read(data)?;
        let state = h.state();
        state.observer.event(&topic, &data);
        state.events.push(Event { topic, data });
        Ok(())
    })
}

fn log(mut c: C<'_, '_>, level: i32, msg: i32, msg_len: i32) -> R<()> {
    host_call(&mut c, HostFnId::Log, &[level.into(), msg.into(), msg_len.into()], |h| {
        let Some(level) = LogLevel::from_u32(level as u32) else {
            return Err(h.invalid(ArgumentKind::LogLevel));
        };
        if h.state().logs.len() >= h.limits().max_logs as usize {
            return Err(h.exceeded(LimitKind::MaxLogs));
        }
        let msg_len = h.limit(msg_len, h.limits().max_log_len, LimitKind::MaxLogLen)?;
        let message = h.range(msg, msg_len)?;
        let message = h.read(message)?;
        let state = h.state();
        state.observer.log(level, &message);
        guest_log_to_tracing(level, &message);
        state.logs.push(LogRecord { level, message });
        Ok(())
    })
}

/// Also gives an accepted guest log to the host's `tracing`, target `tsvm::guest`, at the level
/// mapped from the guest's (`spec/abi.md#events-and-logs`). Not consensus: it runs after every
/// check, so it is bounded like the receipt's logs (`max_logs` records of `max_log_len` bytes), and
/// it changes no gas, state or trace.
fn guest_log_to_tracing(level: LogLevel, message: &[u8]) {
    // The text is made only if a subscriber wants the event: the macros evaluate it lazily.
    let text = || String::from_utf8_lossy(message);
    match level {
        LogLevel::Debug => tracing::debug!(target: "tsvm::guest", "{}", text()),
        LogLevel::Info => tracing::info!(target: "tsvm::guest", "{}", text()),
        LogLevel::Warn => tracing::warn!(target: "tsvm::guest", "{}", text()),
        LogLevel::Error => tracing::error!(target: "tsvm::guest", "{}", text()),
    }
}

fn block_height(mut c: C<'_, '_>) -> R<i64> {
    host_call(&mut c, HostFnId::BlockHeight, &[], |h| Ok(h.state().ctx.height as i64))
}

fn block_timestamp(mut c: C<'_, '_>) -> R<i64> {
    host_call(&mut c, HostFnId::BlockTimestamp, &[], |h| Ok(h.state().ctx.timestamp_ms as i64))
}

/// The shared shape of the functions that write a 32-byte context value.
fn write32(mut c: C<'_, '_>, id: HostFnId, dst: i32, get: fn(&HostState<'_>) -> [u8; 32]) -> R<()> {
    host_call(&mut c, id, &[dst.into()], |h| {
        let dst = h.range(dst, 32)?;
        let value = get(h.state());
        h.write(dst, &value)
    })
}

fn tx_hash(c: C<'_, '_>, dst: i32) -> R<()> {
    write32(c, HostFnId::TxHash, dst, |s| s.ctx.tx_hash.0)
}

fn prev_block_hash(c: C<'_, '_>, dst: i32) -> R<()> {
    write32(c, HostFnId::PrevBlockHash, dst, |s| s.ctx.prev_block_hash.0)
}

fn caller(c: C<'_, '_>, dst: i32) -> R<()> {
    write32(c, HostFnId::Caller, dst, |s| s.ctx.caller.0)
}

fn token_id(c: C<'_, '_>, dst: i32) -> R<()> {
    write32(c, HostFnId::TokenId, dst, |s| s.token.0)
}

fn token_owner(c: C<'_, '_>, dst: i32) -> R<()> {
    write32(c, HostFnId::TokenOwner, dst, |s| s.token_info.owner.0)
}

fn gas_left(mut c: C<'_, '_>) -> R<i64> {
    host_call(&mut c, HostFnId::GasLeft, &[], |h| Ok(h.state().meter.remaining() as i64))
}

fn blake3(mut c: C<'_, '_>, ptr: i32, len: i32, dst: i32) -> R<()> {
    host_call(&mut c, HostFnId::Blake3, &[ptr.into(), len.into(), dst.into()], |h| {
        let src = h.range(ptr, len as u32)?;
        let dst = h.range(dst, 32)?;
        let bytes = h.read(src)?;
        let hash = blake3::hash(&bytes);
        h.write(dst, hash.as_bytes())
    })
}

fn cancel_native(mut c: C<'_, '_>) -> R<()> {
    host_call(&mut c, HostFnId::CancelNative, &[], |h| {
        h.require_writable()?;
        if !h.state().in_before_hook {
            return Err(h.invalid(ArgumentKind::CancelNativeOutsideBeforeHook));
        }
        h.state().native_cancelled = true;
        Ok(())
    })
}

/// `tsvm.__gas_slow(gas, cost) -> gas`: the metering slow path (`spec/gas.md#slow-path`). `gas` is
/// the guest's gas before the charge (what the global would hold); returns the new value, which
/// can pay `cost`, after firing the checkpoints the block crosses.
fn gas_slow(mut c: C<'_, '_>, gas: i64, cost: i64) -> R<i64> {
    let Some(memory) = c.data().memory else {
        return Err(Halt::Failure(crate::VmError::Engine("gas slow path before instantiation".into())).into());
    };
    let meter = &mut c.data_mut().meter;
    meter.sync_from_global(gas as u64);
    let fired = meter.reserve(cost as u64).map_err(Halt::Status)?;
    if fired.any() {
        commit_checkpoints(&mut c, memory, fired);
    }
    Ok(c.data().meter.global_value() as i64)
}

/// The externs for a module importing `ids` (in import order), followed by the instrumentation's
/// `__gas_slow` import, which the instrumenter always appends last (then, when profiling, the
/// profiling hooks: `spec/profile.md#hooks`).
pub(crate) fn imports(store: &mut Store<HostState<'_>>, ids: &[HostFnId]) -> Vec<Extern> {
    let mut externs: Vec<Extern> = ids
        .iter()
        .map(|id| {
            let s = &mut *store;
            let f = match id {
                HostFnId::InputSize => Func::wrap(s, input_size),
                HostFnId::InputRead => Func::wrap(s, input_read),
                HostFnId::ReturnData => Func::wrap(s, return_data),
                HostFnId::Revert => Func::wrap(s, revert),
                HostFnId::StorageRead => Func::wrap(s, storage_read),
                HostFnId::StorageWrite => Func::wrap(s, storage_write),
                HostFnId::StorageRemove => Func::wrap(s, storage_remove),
                HostFnId::BalanceOf => Func::wrap(s, balance_of),
                HostFnId::TotalSupply => Func::wrap(s, total_supply),
                HostFnId::Transfer => Func::wrap(s, transfer),
                HostFnId::Mint => Func::wrap(s, mint),
                HostFnId::Burn => Func::wrap(s, burn),
                HostFnId::EmitEvent => Func::wrap(s, emit_event),
                HostFnId::Log => Func::wrap(s, log),
                HostFnId::BlockHeight => Func::wrap(s, block_height),
                HostFnId::BlockTimestamp => Func::wrap(s, block_timestamp),
                HostFnId::TxHash => Func::wrap(s, tx_hash),
                HostFnId::PrevBlockHash => Func::wrap(s, prev_block_hash),
                HostFnId::Caller => Func::wrap(s, caller),
                HostFnId::TokenId => Func::wrap(s, token_id),
                HostFnId::TokenOwner => Func::wrap(s, token_owner),
                HostFnId::GasLeft => Func::wrap(s, gas_left),
                HostFnId::Blake3 => Func::wrap(s, blake3),
                HostFnId::CancelNative => Func::wrap(s, cancel_native),
            };
            Extern::Func(f)
        })
        .collect();
    externs.push(Extern::Func(Func::wrap(&mut *store, gas_slow)));
    super::profile_hooks::push_imports(store, &mut externs);
    externs
}
