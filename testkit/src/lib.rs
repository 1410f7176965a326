//! # tsvm-testkit
//!
//! Test a token script against the real VM, in-process: the real host and the real gas meter, so a
//! test's gas is the chain's gas. A [`TestChain`] holds a state, a token (owner, policy, balances),
//! the module and a context, and threads state through a sequence of calls the way a node would: a
//! successful receipt's diff is applied, a failed one applies nothing (`spec/abi.md#execution`).
//!
//! ```
//! use tsvm_testkit::{encode, TestChain};
//! use abi::{Address, StatusCode};
//!
//! let wat = include_str!("../../examples/token.wat");
//! let (alice, bob) = (Address([1; 32]), Address([2; 32]));
//! let mut chain = TestChain::from_wat(wat).unwrap().with_balance(alice, 5_000);
//! chain.step("a small transfer").transfer(alice, bob, 100).assert_success();
//! chain.transfer(alice, bob, 1_001).assert_reverted_with("transfer above limit");
//! assert_eq!(chain.balance(bob), 100);
//! let owner = chain.owner();
//! chain.as_caller(owner).method("set_limit", encode(&5_000u64)).assert_success();
//! let count = chain.view("count", []);
//! count.assert_status(StatusCode::Success).assert_return(3u64.to_le_bytes());
//! println!("{}", chain.gas_report());
//! ```
//!
//! | module | what |
//! | --- | --- |
//! | [`TestChain`] | the chain: state, token, module, context; calls; state reads; the gas report |
//! | [`Outcome`] | one call's receipt with fluent assertions |
//! | [`FunctionReport`] | gas per guest and host function over a chain's calls (`TestChain::with_profiling`) |
//! | [`check`] | the comparisons behind both the assertions and the scenario runner, as [`Mismatch`]es |
//! | [`scenario`] | scenario files (`spec/scenario.md`) and their runner, used by `tsvm test` |

mod chain;
pub mod check;
mod error;
mod outcome;
mod profile;
mod report;
pub mod scenario;
#[cfg(test)]
mod tests;
pub mod text;

pub use chain::{
    default_context, TestChain, DEFAULT_CALLER, DEFAULT_GAS_LIMIT, DEFAULT_OWNER, DEFAULT_TOKEN,
};
pub use check::Mismatch;
pub use error::{Error, Result};
pub use outcome::Outcome;
pub use profile::{FunctionReport, FunctionRow, StepProfile};
pub use report::{GasReport, GasRow};

/// The borsh encoding of `value`: view and method arguments (a tuple of basic types is the borsh
/// tuple, as a `tsvm.abi` section declares them: `spec/scenario.md#values`), storage values,
/// expected return data.
///
/// ```
/// let args = tsvm_testkit::encode(&(abi::Address([1; 32]), 500u128));
/// assert_eq!(args.len(), 32 + 16);
/// ```
pub fn encode<T: borsh::BorshSerialize + ?Sized>(value: &T) -> Vec<u8> {
    // Writing to a Vec cannot fail.
    borsh::to_vec(value).unwrap_or_default()
}
