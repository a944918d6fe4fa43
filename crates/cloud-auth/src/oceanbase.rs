//! OceanBase Cloud conventions: Digest credentials, the project id header, request ids.
//! (Being written: see issue 3.)
