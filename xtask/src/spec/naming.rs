//! The one name converter: OpenAPI names to the Rust names progenitor and typify give them.
//!
//! Both use `heck` behind typify's `sanitize`: characters that cannot continue an identifier
//! become `-`, the case conversion splits words, a name that cannot start an identifier gets
//! an `x`/`X` prefix, and a keyword gets a trailing `_`. Code the xtask writes next to theirs
//! (`call()`, paging, open enums) must name the same items, so it converts names here only.

use heck::{ToPascalCase, ToSnakeCase};

/// A field, parameter or method name: `vpcServiceName` → `vpc_service_name`,
/// `requestID` → `request_id`.
pub fn snake(name: &str) -> String {
    sanitize(name, str::to_snake_case)
}

/// A type or variant name: `show_vpcep_connection` → `ShowVpcepConnection`, `MySQL` → `MySql`.
pub fn pascal(name: &str) -> String {
    sanitize(name, str::to_pascal_case)
}

fn sanitize(input: &str, to_case: fn(&str) -> String) -> String {
    let out = match input {
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        _ => to_case(
            &input
                .replace('\'', "")
                .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-"),
        ),
    };
    let prefix = to_case("x");
    let out = match out.chars().next() {
        None => prefix,
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) => format!("{prefix}{out}"),
    };
    if syn::parse_str::<syn::Ident>(&out).is_ok() && out != "_" {
        out
    } else {
        format!("{out}_")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_typify_gives_them() {
        for (input, want) in [
            ("vpcServiceName", "vpc_service_name"),
            ("requestID", "request_id"),
            ("total_count", "total_count"),
            ("X-Ob-Project-Id", "x_ob_project_id"),
            ("type", "type_"),
            ("5g", "x5g"),
        ] {
            assert_eq!(snake(input), want, "{input}");
        }
        for (input, want) in [
            ("show_vpcep_connection", "ShowVpcepConnection"),
            ("pendingAcceptance", "PendingAcceptance"),
            ("MySQL", "MySql"),
            ("dii-app_to_data-source", "DiiAppToDataSource"),
            ("5g", "X5g"),
        ] {
            assert_eq!(pascal(input), want, "{input}");
        }
    }
}

/// The converter agrees with what typify and progenitor generated for every name in the
/// specs: each property of each object schema is a field `snake(name)` of the struct
/// `pascal(schema)`, and each parameter is a setter `snake(name)` of the builder
/// `pascal(operationId)`.
#[cfg(test)]
mod agrees_with_the_generated_code {
    use std::collections::{BTreeMap, BTreeSet};

    use super::{pascal, snake};
    use crate::{spec, workspace_root};

    /// (struct or builder name → its field and method names) in a generated crate.
    fn items(code: &str) -> BTreeMap<String, BTreeSet<String>> {
        let file = syn::parse_file(code).unwrap_or_else(|e| panic!("{e}"));
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        fn walk(items: &[syn::Item], out: &mut BTreeMap<String, BTreeSet<String>>) {
            for item in items {
                match item {
                    syn::Item::Struct(s) => {
                        let names = s.fields.iter().filter_map(|f| f.ident.as_ref());
                        out.entry(s.ident.to_string())
                            .or_default()
                            .extend(names.map(|i| i.to_string()));
                    }
                    syn::Item::Impl(imp) if imp.trait_.is_none() => {
                        if let syn::Type::Path(p) = &*imp.self_ty
                            && let Some(last) = p.path.segments.last()
                        {
                            let methods = imp.items.iter().filter_map(|i| match i {
                                syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                                _ => None,
                            });
                            out.entry(last.ident.to_string())
                                .or_default()
                                .extend(methods);
                        }
                    }
                    syn::Item::Mod(m) => {
                        if let Some((_, inner)) = &m.content {
                            walk(inner, out);
                        }
                    }
                    _ => {}
                }
            }
        }
        walk(&file.items, &mut out);
        out
    }

    #[test]
    fn every_spec_name_maps_to_the_generated_name() {
        let root = workspace_root();
        let apis = spec::load_all(&root).unwrap_or_else(|e| panic!("{e:?}"));
        for api in &apis {
            let mut checked = 0;
            let code =
                std::fs::read_to_string(root.join(format!("generated/{}/src/lib.rs", api.name)))
                    .unwrap_or_else(|e| panic!("{e}"));
            let items = items(&code);
            let schemas = api.merged.components.iter().flat_map(|c| c.schemas.iter());
            for (name, schema) in schemas {
                let Some(openapiv3::Schema {
                    schema_kind: openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)),
                    ..
                }) = api.schema(schema)
                else {
                    continue;
                };
                if api.config.replace.contains_key(name) {
                    continue; // replaced by a hand-written type
                }
                let fields = items.get(&pascal(name)).unwrap_or_else(|| {
                    panic!(
                        "{}: schema {name} is not the type `{}`",
                        api.name,
                        pascal(name)
                    )
                });
                for property in object.properties.keys() {
                    assert!(
                        fields.contains(&snake(property)),
                        "{}: {name}.{property} is not the field `{}` ({fields:?})",
                        api.name,
                        snake(property)
                    );
                    checked += 1;
                }
            }
            for (_, _, op) in api.merged.operations() {
                let id = op.operation_id.clone().unwrap_or_default();
                let setters = items
                    .get(&pascal(&id))
                    .unwrap_or_else(|| panic!("{}: no builder {}", api.name, pascal(&id)));
                for p in api.parameters(op) {
                    let name = &p.parameter_data_ref().name;
                    assert!(
                        setters.contains(&snake(name)),
                        "{}: parameter {name} of {id} is not the setter `{}`",
                        api.name,
                        snake(name)
                    );
                    checked += 1;
                }
            }
            assert!(
                checked > 0,
                "{}: no field or parameter name checked",
                api.name
            );
        }
    }
}
