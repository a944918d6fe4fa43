//! The README's example programs are copies of files that CI compiles and runs: this keeps the
//! copies exact, so that what a reader pastes is what was tested.

use std::path::Path;

#[test]
fn readme_blocks_are_the_tested_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for file in [
        "examples/examples/oceanbase_add_user.rs",
        "examples/examples/css_list_connections.rs",
        "tests/consumer/tests/readme_mock.rs",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let block = format!("```rust,no_run\n{text}```\n");
        assert!(
            readme.contains(&block),
            "README.md must hold {file} verbatim in a ```rust,no_run block: copy the file there"
        );
    }
}
