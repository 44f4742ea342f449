/* core/hash.h — stable 64-bit hashing (FNV-1a) for config identities and
 * random-stream names.
 *
 * Contract
 *   ws_hash64() returns the FNV-1a 64-bit hash of the bytes; ws_hash64_str()
 *   of a NUL-terminated string; ws_hash64_hex() writes it as 16 lowercase hex
 *   digits plus NUL into out[17]. The values never change between versions
 *   or machines (results refer to them). Not cryptographic.
 *   ws_mix64() is the SplitMix64 finaliser: a bijective scrambling of 64
 *   bits used to derive independent seeds.
 */
#ifndef WS_HASH_H
#define WS_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t ws_hash64(const void *data, size_t len);
uint64_t ws_hash64_str(const char *s);
void ws_hash64_hex(uint64_t h, char out[17]);
uint64_t ws_mix64(uint64_t x);

#endif
