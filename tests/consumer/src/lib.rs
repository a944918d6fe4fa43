//! Nothing here: this package holds tests (`tests/`) that use the generated clients the way a
//! downstream crate does, through their public APIs and `mock` features only.
