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
    sanitize(name, Case::Snake)
}

/// A type or variant name: `show_vpcep_connection` → `ShowVpcepConnection`, `MySQL` → `MySql`.
pub fn pascal(name: &str) -> String {
    sanitize(name, Case::Pascal)
}

enum Case {
    Pascal,
    Snake,
}

fn sanitize(input: &str, case: Case) -> String {
    let to_case = match case {
        Case::Pascal => str::to_pascal_case,
        Case::Snake => str::to_snake_case,
    };
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
