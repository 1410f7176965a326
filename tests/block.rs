//! Blocks (`spec/block.md`): state carried between transactions, failed transactions applying
//! nothing, code by hash refused, a script upgrade mid-block, lanes identical to sequential
//! execution, and a perturbed pre-state located at its transaction and then its event.

use abi::{Address, Call, Code, Hash32, StatusCode, TokenId, TokenInfo, TraceEvent, TraceKey, TxData};
use proptest::prelude::*;
use tsvm_tests::blocks::{
    block_state, block_token, block_tx, dispute_block, transfer_tx, transfers, Scripts,
};
use tsvm_tests::oracles::block::check_block_on;
use tsvm_tests::{addr, vm};
use vm::{first_divergent_event, ExecOptions, StateError, StateView, TokenState, TraceLevel, VmError};

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap()
}

fn statuses(block: &vm::BlockExecution) -> Vec<StatusCode> {
    block.receipts().map(|r| r.status).collect()
}

fn topics(receipt: &abi::Receipt) -> Vec<&[u8]> {
    receipt.events.iter().map(|e| e.topic.as_slice()).collect()
}

#[test]
fn each_transaction_sees_the_ones_before_and_a_failure_applies_nothing() {
    let scripts = Scripts::new();
    let state = block_state(1);
    let code = &scripts.token;
    // 1 -> 2 all of 1,000 (at the limit), then 1 -> 3 (nothing left: fails), then 2 -> 3 1,500
    // (only possible after the first; above the limit: reverted), then 2 -> 3 900.
    let txs = [
        transfer_tx(code, 0, 1, 2, 1_000),
        transfer_tx(code, 0, 1, 3, 1),
        transfer_tx(code, 0, 2, 3, 1_500),
        transfer_tx(code, 0, 2, 3, 900),
    ];
    let block = vm().execute_block(&state, &txs, &ExecOptions::default()).unwrap();
    use StatusCode::*;
    assert_eq!(statuses(&block), [Success, InsufficientBalance, Reverted, Success]);
    assert!(block.executions[1].receipt.diff.is_empty() && block.executions[2].receipt.diff.is_empty());
    let token = &block_state(1).tokens[&block_token(0)];
    let mut after = state.clone();
    after.apply(&block.diff).unwrap();
    let balances = &after.tokens[&block_token(0)].balances;
    assert_eq!((balances.get(&addr(1)), balances[&addr(2)], balances[&addr(3)]), (None, 1_100, 1_900));
    assert_eq!(after.tokens[&block_token(0)].supply, token.supply);
    // The commitment chain runs over every receipt, failed ones included.
    assert_eq!(block.commitments.len(), 4);
    assert_eq!(
        block.commitment(),
        abi::hash::block_commitment(&block.commitments[2], &block.executions[3].receipt.receipt_hash)
    );
    check_block_on(&vm(), &pool(), &state, &txs);
}

#[test]
fn an_empty_block_has_the_zero_commitment_and_no_diff() {
    let block = vm().execute_block(&block_state(1), &[], &ExecOptions::default()).unwrap();
    assert_eq!((block.commitment(), block.diff.is_empty()), (Hash32::ZERO, true));
    let lanes = vm().execute_block_in_lanes(&block_state(1), &[], &ExecOptions::default()).unwrap();
    assert_eq!(block, lanes);
}

#[test]
fn code_by_hash_is_refused_before_anything_runs() {
    let scripts = Scripts::new();
    let mut txs = transfers(&scripts.token, 1, 3);
    txs[2] = TxData { code: Code::Hash(abi::hash::content_hash(&scripts.token)), ..txs[2].clone() };
    for result in [
        vm().execute_block(&block_state(1), &txs, &ExecOptions::default()),
        vm().execute_block_in_lanes(&block_state(1), &txs, &ExecOptions::default()),
    ] {
        assert!(matches!(result, Err(VmError::CodeByHash { index: 2 })), "{result:?}");
    }
}

/// The in-memory state, except that account 7's balances cannot be read (a failing node store).
struct FailingView(vm::InMemoryState);

impl StateView for FailingView {
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        self.0.token(token)
    }
    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        if *account == addr(7) {
            return Err(StateError::Failed("disk error".into()));
        }
        self.0.balance(token, account)
    }
    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        self.0.supply(token)
    }
    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.0.storage(token, key)
    }
}

#[test]
fn a_host_failure_names_its_transaction_and_lanes_report_the_first_in_block_order() {
    let scripts = Scripts::new();
    let code = &scripts.token;
    // Token 0's lane fails at transaction 3, token 1's at 2: the block fails at 2 either way.
    let txs = [
        transfer_tx(code, 0, 1, 2, 1),
        transfer_tx(code, 1, 1, 2, 1),
        transfer_tx(code, 1, 7, 2, 1),
        transfer_tx(code, 0, 7, 2, 1),
        transfer_tx(code, 0, 1, 2, 1),
    ];
    let state = FailingView(block_state(2));
    for result in [
        vm().execute_block(&state, &txs, &ExecOptions::default()),
        pool().install(|| vm().execute_block_in_lanes(&state, &txs, &ExecOptions::default())),
    ] {
        match result {
            Err(VmError::InBlock { index: 2, source }) => assert!(matches!(*source, VmError::State(_))),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_script_upgrade_mid_block_runs_each_transaction_with_its_own_code() {
    let scripts = Scripts::new();
    let (v1, v2) = (&scripts.token, &scripts.upgrade);
    let count = || block_tx(v1, block_token(0), Call::View { name: "count".into(), args: vec![] }, addr(1));
    let txs = [
        transfer_tx(v1, 0, 3, 1, 10),
        transfer_tx(v2, 0, 1, 2, 1_005), // above v1's limit: v2 has none
        transfer_tx(v1, 1, 1, 2, 10),    // another token, still v1
        transfer_tx(v1, 0, 2, 3, 1_500), // back to v1: above its limit
        count(),
    ];
    let state = block_state(2);
    let block = vm().execute_block(&state, &txs, &ExecOptions::default()).unwrap();
    use StatusCode::*;
    assert_eq!(statuses(&block), [Success, Success, Success, Reverted, Success]);
    let r = |i: usize| &block.executions[i].receipt;
    assert_eq!(
        (topics(r(0)), topics(r(1)), topics(r(2))),
        (vec![&b"transfer"[..]], vec![&b"v2"[..]], vec![&b"transfer"[..]])
    );
    // v1 counted two hooks on token 0 before the upgrade; v2 counted none; the reverted one is undone.
    assert_eq!(r(4).return_data, 2u64.to_le_bytes());
    check_block_on(&vm(), &pool(), &state, &txs);
}

#[test]
fn lanes_equal_sequential_execution_over_many_tokens() {
    let scripts = Scripts::new();
    for tokens in [1, 3, 10] {
        check_block_on(&vm(), &pool(), &block_state(tokens), &transfers(&scripts.token, tokens, 120));
    }
}

#[test]
fn a_perturbed_pre_state_is_located_at_its_transaction_then_its_event() {
    let scripts = Scripts::new();
    let txs = dispute_block(&scripts);
    let honest = block_state(3);
    let mut perturbed = honest.clone();
    let token: &mut TokenState = perturbed.tokens.get_mut(&block_token(1)).unwrap();
    token.balances.insert(addr(3), 999);
    let options = ExecOptions { checkpoint_interval: 0, trace: TraceLevel::Full };
    let ours = vm().execute_block(&honest, &txs, &options).unwrap();
    let theirs = pool().install(|| vm().execute_block_in_lanes(&perturbed, &txs, &options)).unwrap();
    // Same receipts' statuses; the commitments first differ at transaction 4, the first to read
    // account 3's balance of token 1.
    assert_eq!(statuses(&ours), statuses(&theirs));
    let first = ours.commitments.iter().zip(&theirs.commitments).position(|(a, b)| a != b);
    assert_eq!(first, Some(4));
    // Within it, the first divergent event is the read of that balance.
    let (left, right) = (&ours.executions[4].trace, &theirs.executions[4].trace);
    let divergence = first_divergent_event(left, right).expect("the traces differ");
    let expected = left.iter().position(
        |e| matches!(e, TraceEvent::Read { key: TraceKey::Balance { account }, .. } if *account == addr(3)),
    );
    assert_eq!(Some(divergence.index), expected);
    assert!(matches!(divergence.right, Some(TraceEvent::Read { .. })));
}

/// The tripwire of `spec/block.md#lanes`: lanes are sound only while no host function can name
/// another token. A host function added with a token (or any id) parameter, or one reading
/// another token's state, must be refused in blocks or merge lanes first: this test names it.
#[test]
fn no_host_function_takes_a_token_so_lanes_stay_sound() {
    // Every host function, as reviewed for spec/block.md#lanes (none names another token).
    const REVIEWED: [&str; 24] = [
        "input_size",
        "input_read",
        "return_data",
        "revert",
        "storage_read",
        "storage_write",
        "storage_remove",
        "balance_of",
        "total_supply",
        "transfer",
        "mint",
        "burn",
        "emit_event",
        "log",
        "block_height",
        "block_timestamp",
        "tx_hash",
        "prev_block_hash",
        "caller",
        "token_id",
        "token_owner",
        "gas_left",
        "blake3",
        "cancel_native",
    ];
    for f in abi::HOST_FUNCTIONS {
        assert!(
            REVIEWED.contains(&f.name) && !f.param_names.iter().any(|p| p.contains("token")),
            "host function {} is new or takes a token: check spec/block.md#lanes before admitting it",
            f.name
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random blocks over 1 to 4 tokens mixing every kind of call and the upgraded script.
    #[test]
    fn lanes_equal_sequential_execution_on_random_blocks(data in proptest::collection::vec(any::<u8>(), 1..160)) {
        tsvm_tests::oracles::check_block(&data);
    }
}
