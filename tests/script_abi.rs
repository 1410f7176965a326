//! The VM ignores the script ABI (`spec/abi.md#script-abi`): a `tsvm.abi` custom section, valid or
//! malformed, is accepted by the validator, dropped by the instrumenter and charged as code bytes
//! (`code_byte` each), and changes nothing else an execution does.

use abi::script_abi::custom_section as custom;
use abi::{ScriptAbi, StatusCode};
use tsvm_tests::*;
use vm::Rules;

#[test]
fn an_abi_section_is_charged_as_code_bytes_and_changes_nothing_else() {
    let vm = vm();
    let state = default_state();
    let plain = token_wasm();
    let abi = br#"{"abi_version":1,"name":"t","hooks":["before_transfer"],"views":[{"name":"count","args":[],"returns":"u64"}],"methods":[]}"#;
    let sections: [(&str, &[u8]); 3] =
        [("tsvm.abi", abi), ("tsvm.abi", b"\xff not JSON"), ("something else", b"\x00\x01\x02")];
    let code_byte = Rules::default().gas.code_byte;
    for call in [operation(transfer(addr(1), addr(2), 10)), view("count", &[])] {
        let base = run(&vm, &state, &plain, call.clone(), GAS);
        assert_eq!(base.status, StatusCode::Success);
        for (name, payload) in sections {
            let section = custom(name, payload);
            let mut code = plain.clone();
            code.extend_from_slice(&section);
            assert!(vm::validate(&code, &Rules::default().limits).is_ok(), "{name}");
            let r = run(&vm, &state, &code, call.clone(), GAS);
            assert_eq!(r.gas_used, base.gas_used + code_byte * section.len() as u64, "{name}");
            assert_eq!(
                (r.status, &r.return_data, &r.events, &r.logs, &r.diff),
                (base.status, &base.return_data, &base.events, &base.logs, &base.diff),
                "{name}"
            );
        }
    }
    // Tools read the valid one and report the malformed one; neither affects the VM.
    let mut code = plain.clone();
    code.extend_from_slice(&custom("tsvm.abi", abi));
    assert_eq!(ScriptAbi::from_module(&code).unwrap().unwrap().name, "t");
    let mut bad = plain;
    bad.extend_from_slice(&custom("tsvm.abi", b"\xff not JSON"));
    assert!(ScriptAbi::from_module(&bad).unwrap_err().to_string().contains("not UTF-8"));
}
