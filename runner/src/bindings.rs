//! Host bindings for the Spin interfaces in `wit/` (variables, postgres).

wasmtime::component::bindgen!({
    path: "wit",
    world: "host",
    imports: { default: async | trappable },
    with: {
        "spin:postgres/postgres.connection": crate::pg::Connection,
    },
});
