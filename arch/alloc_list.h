/* arch/alloc_list.h — every allocation policy, one line each:
 *   X(name, summary)
 * The policy itself is `arch_alloc_<name>` in arch/alloc/<name>.c. Adding a
 * policy = one file + one line here + one line in Makefile.am. */
#ifndef ARCH_ALLOC_LIST_H
#define ARCH_ALLOC_LIST_H

#define ARCH_ALLOC_LIST(X)                                                                     \
    X(even, "the study's Base: active experts handed out round-robin over tiles, oblivious " \
            "of where their weights live")                                                    \
    X(home, "the study's EP: every expert's tokens computed on its home tile")                \
    X(affine, "the study's Algorithm 1: expert-affine blocks on copy holders and their "      \
              "neighbours by estimated cost (needs the expert_affine option)")

#endif
