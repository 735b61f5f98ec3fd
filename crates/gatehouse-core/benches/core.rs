// benches come later
fn main() {}
