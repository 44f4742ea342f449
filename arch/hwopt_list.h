/* arch/hwopt_list.h — the list of every hardware option wafersim knows,
 * compiled in or not. One line per option:
 *   X(name, configure switch, one-line summary)
 * Adding an option = one file under arch/options/ (its header and source),
 * one line here, one WS_HWOPT line in configure.ac and one conditional in
 * Makefile.am. */
#ifndef WS_HWOPT_LIST_H
#define WS_HWOPT_LIST_H

#define WS_HWOPT_LIST(X)                                                                       \
    X(expert_affine, "--enable-expert-affine",                                                 \
      "expert-affine task allocation in the Global CP (the study's Algorithm 1)")             \
    X(link_widening, "--enable-link-widening",                                                 \
      "wider D2D links: more bandwidth on all, horizontal, vertical or selected links")       \
    X(migration, "--enable-migration",                                                         \
      "migration units: predictive caching of remote experts in reserved local HBM")

#endif
