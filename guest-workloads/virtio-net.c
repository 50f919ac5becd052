/*
 * virtio-net: frames from one modern (VIRTIO 1.x) virtio-net PCI device to
 * another on the same QEMU hub, split virtqueues, polled.
 *
 * The first virtio-net function on bus 0 ("vnet0") only transmits (queue
 * 1, transmitq1); the second ("vnet1") only receives (queue 0,
 * receiveq1).  Only VIRTIO_F_VERSION_1 is negotiated, so every buffer
 * starts with the 12-byte struct virtio_net_hdr (all zero on transmit: no
 * checksum or segmentation offload).  Before DRIVER_OK the receiver's queue
 * is filled with one 1536-byte buffer per entry; after DRIVER_OK it gets
 * one kick.
 *
 * An op is one frame of `size` bytes (Ethernet header included, no FCS):
 * destination 52:54:00:00:00:02, source 52:54:00:00:00:01, EtherType
 * 0x88b5, the frame's number (32-bit little-endian), then a pattern made
 * from `seed` and that number, so every frame differs.  `batch` frames are
 * queued (one descriptor each: header and frame together) per transmit
 * kick; the guest polls the transmit used ring until the batch is sent and
 * the receive used ring until as many frames arrived, checks each received
 * length (12 + size), number (in the batch, not seen before) and every
 * byte, then gives the batch's receive buffers back with one receive kick.
 *
 * Register accesses (lib/virtio.h gives the per-call counts), with
 * batches = ceil(ops / batch):
 *   kicks      = 1 + 2 * batches  (first receive kick; per batch one
 *                                  transmit and one receive kick)
 *   mmio_write = 40 + kicks       (per device: open 10, queue 9, DRIVER_OK 1)
 *   mmio_read  = 14               (per device: open 4, queue 2, final status 1)
 *   bytes      = ops * (size - 14) (frame payload after the Ethernet
 *                                  header, as for e1000; virtio-net headers
 *                                  not counted)
 * Extra fields: size, batch, polls (reads of both used->idx in all:
 * varies), verified (frames received intact: = ops when ok).
 */
#include "guest.h"
#include "virtio.h"

const char workload_name[] = "virtio-net";

#define NET_HDR_LEN 12u /* struct virtio_net_hdr with VERSION_1 */
#define MIN_FRAME   60u
#define MAX_FRAME   1514u
#define RX_BUF_LEN  1536u /* >= 1526 without mergeable buffers */
#define MAX_BATCH   64u
#define TX_QUEUE    1u	    /* transmitq1 */
#define RX_QUEUE    0u	    /* receiveq1 */
#define ETHERTYPE   0x88b5u /* local experimental */
/* Polls of a used ring per batch; only a dead device exhausts it. */
#define MAX_POLLS 200000000ul

static const uint8_t tx_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t rx_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x02 };

static struct virtio_dev txdev, rxdev;
static struct virtq txq __attribute__((aligned(4096)));
static struct virtq rxq __attribute__((aligned(4096)));
static uint8_t txbuf[MAX_BATCH][NET_HDR_LEN + MAX_FRAME] __attribute__((aligned(64)));
static uint8_t rxbuf[VIRTQ_MAX_SIZE][RX_BUF_LEN] __attribute__((aligned(64)));
static uint64_t verified; /* frames received and equal to one sent */

static uint8_t pattern_byte(uint64_t seed, uint64_t frame, unsigned i)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull ^ (frame << 16 | (i >> 3));
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 29;
	return (uint8_t)(x >> ((i & 7) * 8));
}

/* Frame number `n` of `size` bytes at f. */
static void make_frame(uint8_t *f, uint64_t seed, uint32_t n, unsigned size)
{
	memcpy(f, rx_mac, 6);
	memcpy(f + 6, tx_mac, 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	f[14] = (uint8_t)n;
	f[15] = (uint8_t)(n >> 8);
	f[16] = (uint8_t)(n >> 16);
	f[17] = (uint8_t)(n >> 24);
	for (unsigned i = 18; i < size; i++)
		f[i] = pattern_byte(seed, n, i);
}

static int post_rx(uint8_t *buf)
{
	const struct virtq_buf b = { buf, RX_BUF_LEN, true };
	if (virtq_add(&rxq, &b, 1, buf) < 0)
		return fail("receive queue full");
	return GS_OK;
}

static int check_frame(const uint8_t *buf, uint32_t len, uint64_t seed, unsigned size,
		       uint32_t first, uint32_t n, uint64_t *seen)
{
	static uint8_t want[MAX_FRAME];
	if (len != NET_HDR_LEN + size)
		return fail("received %u bytes, want %u (header %u + frame %u)", len,
			    NET_HDR_LEN + size, NET_HDR_LEN, size);
	const uint8_t *f = buf + NET_HDR_LEN;
	uint32_t num = f[14] | (uint32_t)f[15] << 8 | (uint32_t)f[16] << 16 | (uint32_t)f[17] << 24;
	if (num - first >= n)
		return fail("received frame number %u, batch is %u..%u", num, first, first + n - 1);
	if (*seen & 1ull << (num - first))
		return fail("frame %u received twice", num);
	*seen |= 1ull << (num - first);
	make_frame(want, seed, num, size);
	for (unsigned i = 0; i < size; i++)
		if (f[i] != want[i])
			return fail("frame %u byte %u: received 0x%02x, sent 0x%02x", num, i, f[i],
				    want[i]);
	verified++;
	return GS_OK;
}

static int run_batch(uint32_t first, uint32_t n, unsigned size, uint64_t seed)
{
	int st;

	for (uint32_t k = 0; k < n; k++) {
		memset(txbuf[k], 0, NET_HDR_LEN); /* no offloads, num_buffers 0 */
		make_frame(txbuf[k] + NET_HDR_LEN, seed, first + k, size);
		const struct virtq_buf b = { txbuf[k], NET_HDR_LEN + size, false };
		if (virtq_add(&txq, &b, 1, txbuf[k]) < 0)
			return fail("transmit queue full at frame %u", first + k);
	}
	virtq_kick(&txq);
	if ((st = virtq_wait_used(&txq, (uint16_t)n, MAX_POLLS)) != GS_OK) {
		printf("error: frames %u..%u were not all sent\n", first, first + n - 1);
		return st;
	}
	for (uint32_t k = 0; k < n; k++) {
		uint32_t len;
		if (!virtq_get_used(&txq, &len))
			return fail("transmit used ring returned an unknown buffer");
	}
	if ((st = virtq_wait_used(&rxq, (uint16_t)n, MAX_POLLS)) != GS_OK) {
		printf("error: frames %u..%u were sent but not all received\n", first,
		       first + n - 1);
		return st;
	}
	uint64_t seen = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t len;
		uint8_t *buf = virtq_get_used(&rxq, &len);
		if (!buf)
			return fail("receive used ring returned an unknown buffer");
		if ((st = check_frame(buf, len, seed, size, first, n, &seen)) != GS_OK)
			return st;
		memset(buf, 0xa5, RX_BUF_LEN); /* poison before reuse */
		if ((st = post_rx(buf)) != GS_OK)
			return st;
	}
	virtq_kick(&rxq);
	return GS_OK;
}

int workload_main(void)
{
	uint64_t ops = 64, size = 256, seed = 1, batch = 8;
	const struct param params[] = {
		{ "ops", &ops, 1, 1000000 },
		{ "size", &size, MIN_FRAME, MAX_FRAME },
		{ "seed", &seed, 0, 0xffffffffu },
		{ "batch", &batch, 1, MAX_BATCH },
	};
	int st;

	if ((st = guest_params(params, 4)) != GS_OK)
		return st;
	if (virtio_find(VIRTIO_ID_NET, 0, &txdev.pci) ||
	    virtio_find(VIRTIO_ID_NET, 1, &rxdev.pci)) {
		printf("error: need two modern virtio-net devices (1af4:%04x) on PCI bus 0\n",
		       VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_NET);
		return GS_NO_DEVICE;
	}
	const uint64_t features = 1ull << VIRTIO_F_VERSION_1;
	if ((st = virtio_open(&txdev, "vnet0", features)) != GS_OK ||
	    (st = virtq_setup(&txdev, &txq, TX_QUEUE, VIRTQ_MAX_SIZE)) != GS_OK)
		return st;
	virtio_driver_ok(&txdev);
	if ((st = virtio_open(&rxdev, "vnet1", features)) != GS_OK ||
	    (st = virtq_setup(&rxdev, &rxq, RX_QUEUE, VIRTQ_MAX_SIZE)) != GS_OK)
		return st;
	if (txq.size < batch || rxq.size < batch)
		return fail(
			"queues of %u (transmit) and %u (receive) entries cannot hold %lu frames",
			txq.size, rxq.size, (unsigned long)batch);
	for (unsigned i = 0; i < rxq.size; i++)
		if ((st = post_rx(rxbuf[i])) != GS_OK)
			return st;
	virtio_driver_ok(&rxdev);
	virtq_kick(&rxq);

	uint64_t t0 = rdtsc();
	for (uint64_t done = 0; done < ops;) {
		uint32_t n = (uint32_t)(ops - done < batch ? ops - done : batch);
		if ((st = run_batch((uint32_t)done, n, (unsigned)size, seed)) != GS_OK)
			return st;
		done += n;
	}
	uint64_t cycles = rdtsc() - t0;
	if (virtq_used_pending(&rxq))
		return fail("%u frames more than sent were received", virtq_used_pending(&rxq));
	if ((st = virtio_check(&txdev)) != GS_OK || (st = virtio_check(&rxdev)) != GS_OK)
		return st;

	guest_result.ops = ops;
	guest_result.bytes = ops * (size - 14);
	guest_result.cycles = cycles;
	result_add("size=%lu", (unsigned long)size);
	result_add("batch=%lu", (unsigned long)batch);
	result_add("polls=%lu", (unsigned long)(txq.polls + rxq.polls));
	result_add("verified=%lu", (unsigned long)verified);
	return GS_OK;
}
