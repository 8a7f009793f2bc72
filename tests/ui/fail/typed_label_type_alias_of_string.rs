// An alias hides a `String` from the derive: the field is still unbounded.
use metrics_runtime::LabelSet;

type UserName = String;

#[derive(LabelSet)]
struct Labels {
    user: UserName,
}

fn main() {}
