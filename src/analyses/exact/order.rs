//! The order in which a state's signal levels are computed: each signal after those its level is
//! computed from (gates after their inputs, a role machine after its replicas and quorum, a standby
//! pool's serving signals after the nodes they stand for).

use crate::model::SignalId;

/// The `n` signals ordered depth first so that each comes after `deps` of it.
pub(super) fn eval_order(n: usize, deps: impl Fn(usize) -> Vec<SignalId>) -> Vec<SignalId> {
    let mut state = vec![0u8; n]; // 0 new, 1 open, 2 done
    let mut order = Vec::with_capacity(n);
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, false)];
        while let Some((s, expanded)) = stack.pop() {
            if expanded {
                state[s] = 2;
                order.push(s as SignalId);
                continue;
            }
            if state[s] != 0 {
                continue;
            }
            state[s] = 1;
            stack.push((s, true));
            for d in deps(s) {
                if state[d as usize] == 0 {
                    stack.push((d as usize, false));
                }
            }
        }
    }
    order
}
