/*
 * virtio-blk: writes and reads back a scratch disk through a modern
 * (VIRTIO 1.x) virtio-blk PCI device, split virtqueue 0, polled.
 *
 * An op is one sector range: op i (0-based) covers sectors
 * [i * size, (i + 1) * size).  First every op is written with one
 * VIRTIO_BLK_T_OUT request carrying a pattern made from `seed` and the
 * sector number; then every op is read back with one VIRTIO_BLK_T_IN
 * request into a buffer poisoned beforehand and compared byte for byte.
 * A request is a chain of three descriptors (16-byte header, size * 512
 * data bytes, 1 status byte); `batch` requests are queued per kick, and
 * the guest polls the used ring until the whole batch is back.  Every
 * status byte must be VIRTIO_BLK_S_OK.
 *
 * Register accesses (lib/virtio.h gives the per-call counts), with
 * kicks = 2 * ceil(ops / batch):
 *   mmio_write = 20 + kicks   (open 10, queue 9, DRIVER_OK 1; one notify
 *                              write per kick)
 *   mmio_read  = 11           (open 4, queue 2, capacity 2 + 2
 *                              config_generation, final status 1)
 *   bytes      = 2 * ops * size * 512 (data written plus data read back)
 * Extra fields: size, batch, polls (reads of used->idx in all: varies),
 * verified (bytes read back and equal to what was written: ops*size*512).
 */
#include "guest.h"
#include "virtio.h"

const char workload_name[] = "virtio-blk";

#define SECTOR	      512u
#define MAX_SIZE      128u /* sectors per op: 64 KiB */
#define MAX_BATCH     32u  /* 3 descriptors each */
#define DESCS_PER_REQ 3u
/* Polls of used->idx per batch; only a dead device exhausts it. */
#define MAX_POLLS 200000000ul

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_CFG_CAPACITY 0 /* le64, in 512-byte sectors */

struct blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct virtio_dev dev;
static struct virtq vq __attribute__((aligned(4096)));
static uint8_t data[MAX_BATCH][MAX_SIZE * SECTOR] __attribute__((aligned(4096)));
static struct blk_req_hdr hdrs[MAX_BATCH];
static volatile uint8_t statuses[MAX_BATCH];
static uint64_t verified; /* bytes read back and found equal */

/* The pattern's 64-bit word `w` of sector `sector`. */
static uint64_t pattern_word(uint64_t seed, uint64_t sector, unsigned w)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull ^ (sector << 8 | w);
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 29;
	return x;
}

static void fill(uint8_t *buf, uint64_t seed, uint64_t first_sector, uint64_t sectors)
{
	uint64_t *p = (uint64_t *)buf;
	for (uint64_t s = 0; s < sectors; s++)
		for (unsigned w = 0; w < SECTOR / 8; w++)
			*p++ = pattern_word(seed, first_sector + s, w);
}

static int verify(const uint8_t *buf, uint64_t seed, uint64_t op, uint64_t first_sector,
		  uint64_t sectors)
{
	const uint64_t *p = (const uint64_t *)buf;
	for (uint64_t s = 0; s < sectors; s++) {
		for (unsigned w = 0; w < SECTOR / 8; w++, p++) {
			uint64_t want = pattern_word(seed, first_sector + s, w);
			if (*p != want)
				return fail("op %lu: sector %lu bytes %u..%u read 0x%016lx, wrote "
					    "0x%016lx",
					    (unsigned long)op, (unsigned long)(first_sector + s),
					    w * 8, w * 8 + 7, (unsigned long)*p,
					    (unsigned long)want);
		}
	}
	return GS_OK;
}

/* One batch of n requests of `type` for ops first..first+n-1. */
static int run_batch(uint32_t type, uint64_t first, uint64_t n, uint64_t size, uint64_t seed)
{
	uint32_t len = (uint32_t)(size * SECTOR);
	int st;

	for (uint64_t k = 0; k < n; k++) {
		uint64_t sector = (first + k) * size;
		if (type == VIRTIO_BLK_T_OUT)
			fill(data[k], seed, sector, size);
		else
			memset(data[k], 0xa5, len); /* poison: stale bytes must not pass */
		hdrs[k] = (struct blk_req_hdr){ .type = type, .sector = sector };
		statuses[k] = 0xff;
		const struct virtq_buf chain[DESCS_PER_REQ] = {
			{ &hdrs[k], sizeof(hdrs[k]), false },
			{ data[k], len, type == VIRTIO_BLK_T_IN },
			{ (const void *)&statuses[k], 1, true },
		};
		if (virtq_add(&vq, chain, DESCS_PER_REQ, &hdrs[k]) < 0)
			return fail("virtqueue full at op %lu", (unsigned long)(first + k));
	}
	virtq_kick(&vq);
	if ((st = virtq_wait_used(&vq, (uint16_t)n, MAX_POLLS)) != GS_OK) {
		printf("error: %s batch at op %lu did not complete\n",
		       type == VIRTIO_BLK_T_OUT ? "write" : "read", (unsigned long)first);
		return st;
	}
	for (uint64_t k = 0; k < n; k++) {
		uint32_t used_len;
		struct blk_req_hdr *h = virtq_get_used(&vq, &used_len);
		if (!h || h < hdrs || h >= hdrs + n)
			return fail("used ring returned an unknown request");
	}
	for (uint64_t k = 0; k < n; k++) {
		if (statuses[k] != VIRTIO_BLK_S_OK)
			return fail("op %lu: %s of sectors %lu..%lu: status %u",
				    (unsigned long)(first + k),
				    type == VIRTIO_BLK_T_OUT ? "write" : "read",
				    (unsigned long)((first + k) * size),
				    (unsigned long)((first + k + 1) * size - 1), statuses[k]);
		if (type == VIRTIO_BLK_T_IN &&
		    (st = verify(data[k], seed, first + k, (first + k) * size, size)) != GS_OK)
			return st;
		if (type == VIRTIO_BLK_T_IN)
			verified += size * SECTOR;
	}
	return GS_OK;
}

static int run_phase(uint32_t type, uint64_t ops, uint64_t size, uint64_t seed, uint64_t batch)
{
	for (uint64_t done = 0; done < ops;) {
		uint64_t n = ops - done < batch ? ops - done : batch;
		int st = run_batch(type, done, n, size, seed);
		if (st != GS_OK)
			return st;
		done += n;
	}
	return GS_OK;
}

int workload_main(void)
{
	uint64_t ops = 64, size = 8, seed = 1, batch = 8, irq = 0;
	const struct param params[] = {
		{ "ops", &ops, 1, 1000000 },
		{ "size", &size, 1, MAX_SIZE },
		{ "seed", &seed, 0, 0xffffffffu },
		{ "batch", &batch, 1, MAX_BATCH },
		{ "irq", &irq, 0, 1 },
	};
	int st;

	if ((st = guest_params(params, 5)) != GS_OK)
		return st;
	if (virtio_find(VIRTIO_ID_BLOCK, 0, &dev.pci)) {
		printf("error: no modern virtio-blk device (1af4:%04x) on PCI bus 0\n",
		       VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_BLOCK);
		return GS_NO_DEVICE;
	}
	if ((st = virtio_open(&dev, "vblk", 1ull << VIRTIO_F_VERSION_1)) != GS_OK)
		return st;
	if (dev.features & 1ull << VIRTIO_BLK_F_RO)
		return fail("the disk is read-only");
	if ((st = virtq_setup(&dev, &vq, 0, VIRTQ_MAX_SIZE)) != GS_OK)
		return st;
	/* Still polled either way: irq=1 only lets the device interrupt, so
       what each interrupt costs shows beside the same work without. */
	if (irq)
		vq.avail.flags = 0;
	if (vq.size < batch * DESCS_PER_REQ)
		return fail("queue of %u entries cannot hold %lu requests", vq.size,
			    (unsigned long)batch);
	uint64_t capacity;
	if (virtio_cfg_read64(&dev, VIRTIO_BLK_CFG_CAPACITY, &capacity))
		return fail("cannot read the disk's capacity");
	virtio_driver_ok(&dev);
	printf("vblk: %lu sectors, queue of %u\n", (unsigned long)capacity, vq.size);
	if (ops * size > capacity) {
		printf("error: parameter 'ops=%lu': ops * size = %lu sectors, the disk has %lu\n",
		       (unsigned long)ops, (unsigned long)(ops * size), (unsigned long)capacity);
		return GS_BAD_PARAM;
	}

	uint64_t t0 = rdtsc();
	if ((st = run_phase(VIRTIO_BLK_T_OUT, ops, size, seed, batch)) != GS_OK)
		return st;
	if ((st = run_phase(VIRTIO_BLK_T_IN, ops, size, seed, batch)) != GS_OK)
		return st;
	uint64_t cycles = rdtsc() - t0;
	if ((st = virtio_check(&dev)) != GS_OK)
		return st;

	guest_result.ops = ops;
	guest_result.bytes = 2 * ops * size * SECTOR;
	guest_result.cycles = cycles;
	result_add("size=%lu", (unsigned long)size);
	result_add("batch=%lu", (unsigned long)batch);
	result_add("polls=%lu", (unsigned long)vq.polls);
	result_add("verified=%lu", (unsigned long)verified);
	return GS_OK;
}
