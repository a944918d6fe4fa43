#!/usr/bin/env python3
"""Writes the SDK-HMAC-SHA256 test vectors in this folder by running Huawei Cloud's official
Python signer (PyPI package `huaweicloudsdkcore`) on the requests described in CASES.

Run it from a scratch virtual environment outside the repository (see README.md). It only
drives the official signer: every canonical request, string to sign and Authorization header
written here is what `huaweicloudsdkcore` produced, captured at each step.
"""

import json
import pathlib
import sys
from importlib.metadata import version

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm
from huaweicloudsdkcore.signer.signer import Signer

HERE = pathlib.Path(__file__).resolve().parent

# The signing guide's worked example uses these credentials; the other cases use made-up ones.
GUIDE_AK = "QTWAOYTTINDUT2QVKYUC"
GUIDE_SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
AK = "HPUAEXAMPLEAK0000001"
SK = "exampleSecretAccessKey0000000000000000001"
PROJECT = "052041494800d57c2f02c00275b4c247"
DATE = "20240611T093624Z"

CASES = [
    {
        "name": "guide-worked-example",
        "description": "The worked example of Huawei Cloud's API signing guide (VPC list query); "
        "the expected signature is the guide's own, 7be66680...",
        "method": "GET",
        "host": "service.region.example.com",
        "path": "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        "query": [["limit", "2"], ["marker", "13551d6b-755d-4757-b956-536f674975c0"]],
        "headers": [["Content-Type", "application/json"]],
        "body": "",
        "date": "20191115T033655Z",
        "credentials": {"ak": GUIDE_AK, "sk": GUIDE_SK},
    },
    {
        "name": "get-query-repeated-and-empty",
        "description": "CSS ShowVpcepConnection-like GET: query keys out of order, a repeated key "
        "whose values are out of order, and empty values.",
        "method": "GET",
        "host": "css.cn-north-4.myhuaweicloud.com",
        "path": "/v1.0/" + PROJECT + "/clusters/5c77b71c-5b35-4f50-8984-76387e42451a/vpcepservice/connections",
        "query": [["offset", "0"], ["limit", "10"], ["tag", "b"], ["tag", "a"], ["tag", ""], ["empty", ""]],
        "headers": [["Accept", "application/json"]],
        "body": "",
        "date": DATE,
        "credentials": {"ak": AK, "sk": SK, "project_id": PROJECT},
    },
    {
        "name": "post-json",
        "description": "DAS CreateInstanceConnection-like JSON POST with X-Project-Id from the credentials.",
        "method": "POST",
        "host": "das.cn-north-7.myhuaweicloud.com",
        "path": "/v3/" + PROJECT + "/instances/bcfa975193f1402fa11a6d4fd6baf5fbin01/create-connection",
        "query": [],
        "headers": [["Content-Type", "application/json"], ["Accept", "application/json"]],
        "body": json.dumps(
            {
                "engine_type": "mysql",
                "network_type": "rds",
                "username": "root",
                "is_save_password": True,
                "password": "Gauss_2345",
                "sql_record_flag": True,
                "remarks": "create by api",
            },
            separators=(",", ":"),
        ),
        "date": DATE,
        "credentials": {"ak": AK, "sk": SK, "project_id": PROJECT},
    },
    {
        "name": "dataarts-workspace-header",
        "description": "DataArts Insight VerifyAndCreateVpcEp-like POST: X-Workspace-Id and "
        "X-Project-Id are signed along with the JSON content type.",
        "method": "POST",
        "host": "dataartsinsight.cn-north-4.myhuaweicloud.com",
        "path": "/v1/" + PROJECT + "/connections/vpc-endpoint",
        "query": [],
        "headers": [
            ["Content-Type", "application/json"],
            ["Accept", "application/json"],
            ["X-Workspace-Id", "ws-0123456789abcdef"],
        ],
        "body": '{"ds_type":"DWS","vpc_ep_server_name":"cn-north-4.DII-INGEST-LB.5d6c-31cf-4e27-8d3a-4b71db9b82fb"}',
        "date": DATE,
        "credentials": {"ak": AK, "sk": SK, "project_id": PROJECT},
    },
    {
        "name": "unicode-and-reserved-characters",
        "description": "Path segments with percent-encoded unicode, an encoded slash, an encoded "
        "space and literal sub-delimiters; query keys and values with unicode, spaces and "
        "reserved characters; a header value with non-ASCII text.",
        "method": "GET",
        "host": "css.cn-north-4.myhuaweicloud.com",
        "path": "/v1/%E6%95%B0%E6%8D%AE/a%2Fb/c%20d/e:f@g!$'()*+,;=/~tilde-_.",
        "query": [
            ["name", "数据 集"],
            ["q", "a+b&c=d/e?f#g"],
            ["~key*", "'quoted'!"],
            ["ключ", "значение"],
            ["percent", "100%"],
        ],
        "headers": [["Accept", "application/json"], ["X-Note", "中文 text"]],
        "body": "",
        "date": DATE,
        "credentials": {"ak": AK, "sk": SK},
    },
    {
        "name": "query-sorted-before-encoding",
        "description": "Keys whose order differs between raw and percent-encoded form (a.b < a/b "
        "raw, but a%2Fb < a.b encoded) and upper-case before lower-case: the signer sorts raw "
        "parameters, then encodes.",
        "method": "GET",
        "host": "das.cn-north-4.myhuaweicloud.com",
        "path": "/v3/" + PROJECT + "/instances",
        "query": [["a/b", "2"], ["a.b", "1"], ["b", "x"], ["B", "y"], ["a", "z z"]],
        "headers": [],
        "body": "",
        "date": DATE,
        "credentials": {"ak": AK, "sk": SK},
    },
    {
        "name": "empty-body-post-temporary-credentials",
        "description": "POST with a JSON content type and an empty body (the empty-body hash is "
        "used), signed with temporary credentials: X-Security-Token is added and signed.",
        "method": "POST",
        "host": "css.cn-north-4.myhuaweicloud.com",
        "path": "/v1.0/" + PROJECT + "/clusters/5c77b71c-5b35-4f50-8984-76387e42451a/restart",
        "query": [],
        "headers": [["Content-Type", "application/json;charset=UTF-8"]],
        "body": "",
        "date": DATE,
        "credentials": {
            "ak": AK,
            "sk": SK,
            "project_id": PROJECT,
            "security_token": "gQpjbi1ub3J0aC00jNTemporarySecurityTokenExample==",
        },
    },
    {
        "name": "header-with-underscore",
        "description": "A header whose name contains '_' is sent but not signed; a header value "
        "with surrounding spaces is signed trimmed.",
        "method": "GET",
        "host": "css.cn-north-4.myhuaweicloud.com",
        "path": "/v1.0/" + PROJECT + "/clusters",
        "query": [["limit", "5"]],
        "headers": [
            ["X_Custom_Header", "not signed"],
            ["X-Request-Id", "  4e2d9f5c-0d1b-4c8f-9c7e-5b0a1f2e3d4c  "],
            ["Accept", "application/json"],
        ],
        "body": "",
        "date": DATE,
        "credentials": {"ak": AK, "sk": SK},
    },
    {
        "name": "trailing-slash",
        "description": "A path that already ends with '/' keeps exactly one trailing slash in "
        "the canonical URI.",
        "method": "GET",
        "host": "dataartsinsight.cn-north-4.myhuaweicloud.com",
        "path": "/v1/" + PROJECT + "/workspaces/",
        "query": [],
        "headers": [],
        "body": "",
        "date": DATE,
        "credentials": {"ak": AK, "sk": SK},
    },
    {
        "name": "root-path-host-with-port",
        "description": "The root path and a host with an explicit non-default port.",
        "method": "GET",
        "host": "127.0.0.1:8443",
        "path": "/",
        "query": [],
        "headers": [],
        "body": "",
        "date": DATE,
        "credentials": {"ak": AK, "sk": SK},
    },
    {
        "name": "unsigned-payload",
        "description": "A non-JSON content type: the signer adds X-Sdk-Content-Sha256: "
        "UNSIGNED-PAYLOAD, signs it, and uses UNSIGNED-PAYLOAD as the body hash.",
        "method": "PUT",
        "host": "css.cn-north-4.myhuaweicloud.com",
        "path": "/v1.0/" + PROJECT + "/clusters/5c77b71c/files",
        "query": [],
        "headers": [["Content-Type", "application/octet-stream"]],
        "body": "binary-ish payload\n",
        "date": DATE,
        "credentials": {"ak": AK, "sk": SK},
    },
]


class _Capture:
    """The intermediate values of the last signature."""

    canonical_request = None
    string_to_sign = None


class _RecordingSigner(Signer):
    """The official signer, unchanged, with its intermediate results recorded."""

    def _process_canonical_request(self, request, signed_headers):
        value = super()._process_canonical_request(request, signed_headers)
        _Capture.canonical_request = value
        return value

    def _process_string_to_sign(self, canonical_request, time):
        value = super()._process_string_to_sign(canonical_request, time)
        _Capture.string_to_sign = value
        return value


class _RecordingCredentials(BasicCredentials):
    # BasicCredentials.sign_request adds X-Project-Id and X-Security-Token, then picks the
    # signer class from this table: only the class is swapped for the recording one.
    _SIGNER_CASE = {SigningAlgorithm.HMAC_SHA256: _RecordingSigner}


def _write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def run(case):
    creds = case["credentials"]
    credentials = _RecordingCredentials(creds["ak"], creds["sk"], creds.get("project_id"))
    if creds.get("security_token"):
        credentials.with_security_token(creds["security_token"])

    # The signer takes the date from an existing X-Sdk-Date header: that fixes it.
    headers = {name: value for name, value in case["headers"]}
    headers["X-Sdk-Date"] = case["date"]
    request = SdkRequest(
        method=case["method"],
        schema="https",
        host=case["host"],
        resource_path=case["path"],
        query_params=[(k, v) for k, v in case["query"]],
        header_params=headers,
        body=case["body"],
        signing_algorithm=SigningAlgorithm.HMAC_SHA256,
    )
    _Capture.canonical_request = _Capture.string_to_sign = None
    signed = credentials.sign_request(request)

    folder = HERE / case["name"]
    folder.mkdir(exist_ok=True)
    inputs = {k: case[k] for k in ("description", "method", "host", "path", "query", "headers", "body", "date")}
    inputs["credentials"] = {
        "ak": creds["ak"],
        "sk": creds["sk"],
        "project_id": creds.get("project_id"),
        "security_token": creds.get("security_token"),
    }
    _write(folder / "request.json", json.dumps(inputs, indent=2, ensure_ascii=False) + "\n")
    _write(folder / "canonical-request.txt", _Capture.canonical_request)
    _write(folder / "string-to-sign.txt", _Capture.string_to_sign)
    _write(folder / "authorization.txt", signed.header_params["Authorization"])
    # The signer re-encodes header values as ISO-8859-1 text holding the UTF-8 bytes (what
    # goes on the wire); store them as the UTF-8 text they are.
    final_headers = [
        [name, value.encode("iso-8859-1").decode("utf-8")] for name, value in signed.header_params.items()
    ]
    signed_request = {"uri": signed.uri, "headers": final_headers}
    _write(folder / "signed-request.json", json.dumps(signed_request, indent=2, ensure_ascii=False) + "\n")


def main():
    for case in CASES:
        run(case)
    print(f"wrote {len(CASES)} cases with huaweicloudsdkcore {version('huaweicloudsdkcore')}", file=sys.stderr)


if __name__ == "__main__":
    main()
