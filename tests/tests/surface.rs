//! Each API's surface as compact text: per operation its method, path, parameters, body and
//! responses, then the schemas with their fields. When a spec changes, the diff of these
//! snapshots is what a reviewer reads.

#[path = "support/surface.rs"]
mod support;

use support::surface;
use xtask::{spec, workspace_root};

#[test]
fn api_surfaces() {
    let apis = spec::load_all(&workspace_root()).expect("specs load");
    assert_eq!(apis.len(), 4);
    for api in &apis {
        insta::assert_snapshot!(api.name.clone(), surface(api));
    }
}
