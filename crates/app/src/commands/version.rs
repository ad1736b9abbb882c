/// `rampart version`.
pub(crate) fn run() {
    println!("rampart {}", env!("CARGO_PKG_VERSION"));
}
