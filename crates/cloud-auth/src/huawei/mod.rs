//! Huawei Cloud authentication: IAM tokens and `SDK-HMAC-SHA256` request signing.
//! (Being written: see issue 4.)
