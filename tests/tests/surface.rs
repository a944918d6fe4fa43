//! Each API's surface as compact text: per operation its method, path, parameters, body and
//! responses, then the schemas with their fields and the side of a call that uses them. When a
//! spec changes, the diff of these snapshots is what a reviewer reads, next to the
//! `cargo xtask api-diff` report that classifies each change.

use xtask::{spec::surface, workspace_root};

#[test]
fn api_surfaces() {
    let surfaces = surface::load_all(&workspace_root()).expect("specs load");
    let apis = xtask::spec::load_all(&workspace_root()).expect("specs load");
    assert_eq!(surfaces.len(), apis.len(), "one surface per API of specs/");
    for s in &surfaces {
        insta::assert_snapshot!(s.crate_name.clone(), s.render_text());
    }
}
