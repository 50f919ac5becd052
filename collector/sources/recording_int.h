/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the recording's writer (recording.c) and reader (recording_read.c)
 * both know of the format beyond recording.h. */
#ifndef VP_RECORDING_INT_H
#define VP_RECORDING_INT_H

#include <stdint.h>

#define VP_REC_FRAME_HEAD 16 /* magic, raw length, compressed length, CRC */

static inline void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif
