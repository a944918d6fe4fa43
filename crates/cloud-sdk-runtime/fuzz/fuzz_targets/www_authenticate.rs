//! Fuzzes the `WWW-Authenticate` parser: it must never panic, whatever parses must survive
//! being written back and parsed again unchanged, and choosing a Digest challenge must not
//! panic either. Run it with libFuzzer's `-timeout=1` (see the README) so that an input the
//! parser is slow on fails like a crash.
#![no_main]

use cloud_sdk_runtime::digest::{DigestChallenge, parse_challenges};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(challenges) = parse_challenges(text) else {
        return;
    };
    let written = challenges
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match parse_challenges(&written) {
        Ok(again) => assert_eq!(again, challenges, "round trip of {text:?} via {written:?}"),
        Err(e) => panic!("{written:?} (written from {text:?}) does not parse: {e}"),
    }
    for buffered in [true, false] {
        let _ = DigestChallenge::select(&challenges, buffered);
    }
});
