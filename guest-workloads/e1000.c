/*
 * e1000: two Intel 82540EM NICs on one QEMU hub, one transmitting and the
 * other receiving, through legacy descriptor rings and BAR0 MMIO.
 *
 * The first 82540EM on bus 0 (slot order) is the sender ("e1000-tx"), the
 * second the receiver ("e1000-rx").  Both are reset and brought up
 * (e1000_bring_up: IMC, RST, IMC, SLU, MAC from RAL0/RAH0 written back with
 * AV); then the receiver gets its multicast table cleared, a 64-entry RX
 * ring of 2048-byte buffers and RCTL (EN, BAM, 2048-byte buffers, SECRC),
 * and the sender a 64-entry TX ring, TIPG and TCTL (EN, PSP, CT, COLD).
 * The good-packet counters (GPTC on the sender, GPRC on the receiver) are
 * read once to clear them.
 *
 * An op is one frame of `size` bytes (Ethernet header to the receiver's
 * MAC from the sender's, EtherType 0x88b5, then size - 14 payload bytes:
 * the frame number and a pattern from `seed`) sent by the sender and
 * received by the receiver, matched byte for byte against what was sent,
 * with the TX descriptor's DD and the RX descriptor's DD and EOP set, no
 * receive error and length == size.  Frames go out `batch` at a time: the
 * descriptors are filled, then ONE TDT write hands them to the sender;
 * each frame's TX and RX descriptors are polled (bounded, guest memory
 * only), and once the batch is checked ONE RDT write gives its RX
 * descriptors back.  So per batch: 1 TDT write (a kick) on the sender, 1
 * RDT write on the receiver, no MMIO read.  At the end GPTC/GPRC must read
 * `ops` and TDH/RDH must have reached the guest's tail.  Counts in
 * README.md ("e1000").
 */
#include "e1000-dev.h"

const char workload_name[] = "e1000";

#define RING	       64 /* descriptors per ring (RDLEN/TDLEN: 1 KiB) */
#define BUF_SIZE       2048
#define ETH_HLEN       14
#define ETHERTYPE      0x88b5	 /* IEEE local experimental */
#define DESC_MAX_POLLS 1000000ul /* TX descriptor, and RX without a calibrated TSC */
#define RX_MAX_POLLS   1000000000ul
#define RX_MAX_MS      5000u /* per frame, TSC time */

static struct e1000_tx_desc tx_ring[RING] __attribute__((aligned(128)));
static struct e1000_rx_desc rx_ring[RING] __attribute__((aligned(128)));
static uint8_t tx_buf[RING][BUF_SIZE] __attribute__((aligned(4096)));
static uint8_t rx_buf[RING][BUF_SIZE] __attribute__((aligned(4096)));

typedef uint32_t u32_unaligned __attribute__((aligned(1), may_alias));
typedef uint64_t u64_alias __attribute__((may_alias));

static uint64_t phys(const void *p)
{
	return (uint64_t)(uintptr_t)p; /* identity-mapped */
}

/* The frame number `seq` of a run with `seed`: header, then the number
   and a xorshift32 stream. */
static void build_frame(uint8_t *f, unsigned size, const uint8_t *dst, const uint8_t *src,
			uint64_t seed, uint32_t seq)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	uint32_t x = (uint32_t)seed ^ (uint32_t)(seed >> 32) ^ (seq * 0x9e3779b9u) ^ 0x6a09e667u;
	if (!x)
		x = 1;
	unsigned off = ETH_HLEN;
	*(u32_unaligned *)(f + off) = seq;
	off += 4;
	for (; off + 4 <= size; off += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		*(u32_unaligned *)(f + off) = x;
	}
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	for (; off < size; off++, x >>= 8)
		f[off] = (uint8_t)x;
}

/* First differing offset, or -1; both buffers 8-byte aligned. */
static long first_difference(const uint8_t *a, const uint8_t *b, unsigned n)
{
	unsigned i = 0;
	for (; i + 8 <= n; i += 8)
		if (*(const u64_alias *)(a + i) != *(const u64_alias *)(b + i))
			break;
	for (; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

static bool tx_done(void *arg)
{
	const volatile struct e1000_tx_desc *d = arg;
	return d->status & E1000_TXD_STAT_DD;
}

/* An RX descriptor poll bounded by TSC time as well as by polls: QEMU's
   e1000 holds frames back for 1 s of virtual time after each RCTL write
   (its flush-queue timer), so the first frame may take that long. */
struct rx_poll {
	const volatile struct e1000_rx_desc *desc;
	uint64_t deadline; /* TSC; 0: no time bound (uncalibrated) */
	bool expired;
};

static bool rx_done(void *arg)
{
	struct rx_poll *p = arg;
	if (p->desc->status & E1000_RXD_STAT_DD)
		return true;
	if (p->deadline && rdtsc() > p->deadline)
		p->expired = true;
	return p->expired;
}

static void setup_receiver(const struct e1000 *rx)
{
	for (unsigned i = 0; i < RING; i++)
		rx_ring[i] = (struct e1000_rx_desc){ .addr = phys(rx_buf[i]) };
	for (unsigned i = 0; i < E1000_MTA_WORDS; i++)
		e1000_write(rx, E1000_MTA + 4 * i, 0);
	e1000_write(rx, E1000_RDBAL, (uint32_t)phys(rx_ring));
	e1000_write(rx, E1000_RDBAH, (uint32_t)(phys(rx_ring) >> 32));
	e1000_write(rx, E1000_RDLEN, sizeof(rx_ring));
	e1000_write(rx, E1000_RDH, 0);
	e1000_write(rx, E1000_RDT, RING - 1); /* all but one buffer to the NIC */
	e1000_write(rx, E1000_RCTL,
		    E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_BSIZE_2048 | E1000_RCTL_SECRC);
}

static void setup_sender(const struct e1000 *tx)
{
	for (unsigned i = 0; i < RING; i++)
		tx_ring[i] = (struct e1000_tx_desc){ .addr = phys(tx_buf[i]) };
	e1000_write(tx, E1000_TDBAL, (uint32_t)phys(tx_ring));
	e1000_write(tx, E1000_TDBAH, (uint32_t)(phys(tx_ring) >> 32));
	e1000_write(tx, E1000_TDLEN, sizeof(tx_ring));
	e1000_write(tx, E1000_TDH, 0);
	e1000_write(tx, E1000_TDT, 0);
	e1000_write(tx, E1000_TIPG, E1000_TIPG_VALUE);
	/* Full duplex: collision threshold 15, collision distance 64. */
	e1000_write(tx, E1000_TCTL,
		    E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(0x0f) | E1000_TCTL_COLD(0x40));
}

int workload_main(void)
{
	uint64_t ops = 256, size = 512, seed = 1, batch = 8;
	const struct param params[] = {
		{ "ops", &ops, 1, 10000000 },
		{ "size", &size, 60, 1514 },
		{ "seed", &seed, 0, UINT64_MAX },
		{ "batch", &batch, 1, RING - 1 },
	};
	int st;
	if ((st = guest_params(params, 4)) != GS_OK)
		return st;

	struct pci_dev found[2];
	int n = e1000_find(found, 2);
	if (n < 2) {
		printf("error: %d e1000 (%04x:%04x) on PCI bus 0, need two on one hub\n", n,
		       E1000_VENDOR_ID, E1000_DEVICE_ID);
		return GS_NO_DEVICE;
	}
	static struct e1000 tx, rx;
	if ((st = e1000_open(&tx, &found[0], "e1000-tx")) != GS_OK ||
	    (st = e1000_open(&rx, &found[1], "e1000-rx")) != GS_OK)
		return st;
	if ((st = e1000_bring_up(&tx)) != GS_OK || (st = e1000_bring_up(&rx)) != GS_OK)
		return st;
	if (!memcmp(tx.mac, rx.mac, 6))
		return fail("both NICs have the same MAC address");
	setup_receiver(&rx);
	setup_sender(&tx);
	/* Clear-on-read: start both counters from zero. */
	e1000_read(&tx, E1000_GPTC);
	e1000_read(&rx, E1000_GPRC);

	unsigned fsize = (unsigned)size, tdt = 0, rdt = RING - 1, next_rx = 0;
	uint64_t sent = 0, verified = 0, kicks = 0, tx_polls = 0, rx_polls = 0;
	uint64_t t0 = rdtsc();
	while (sent < ops) {
		unsigned first = tdt, k = (unsigned)(ops - sent < batch ? ops - sent : batch);
		for (unsigned j = 0; j < k; j++) {
			unsigned i = (first + j) % RING;
			build_frame(tx_buf[i], fsize, rx.mac, tx.mac, seed, (uint32_t)(sent + j));
			tx_ring[i] = (struct e1000_tx_desc){
				.addr = phys(tx_buf[i]),
				.length = (uint16_t)fsize,
				.cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS,
			};
		}
		tdt = (first + k) % RING;
		mb();
		e1000_write(&tx, E1000_TDT, tdt);
		kicks++;

		for (unsigned j = 0; j < k; j++) {
			uint64_t seq = sent + j;
			volatile struct e1000_tx_desc *td = &tx_ring[(first + j) % RING];
			long w = wait_until(tx_done, (void *)td, DESC_MAX_POLLS);
			if (w < 0) {
				printf("error: frame %lu: TX descriptor %u not done after %lu "
				       "polls (TDH 0x%x)\n",
				       (unsigned long)seq, (first + j) % RING, DESC_MAX_POLLS,
				       e1000_read(&tx, E1000_TDH));
				return GS_TIMEOUT;
			}
			tx_polls += (uint64_t)w;
			volatile struct e1000_rx_desc *rd = &rx_ring[next_rx];
			struct rx_poll rp = {
				.desc = rd,
				.deadline = tsc_khz() ? rdtsc() + tsc_khz() * RX_MAX_MS : 0,
			};
			w = wait_until(rx_done, &rp, tsc_khz() ? RX_MAX_POLLS : DESC_MAX_POLLS);
			if (w < 0 || rp.expired) {
				printf("error: frame %lu: RX descriptor %u not done within %u ms / "
				       "%lu polls "
				       "(RDH 0x%x)\n",
				       (unsigned long)seq, next_rx, RX_MAX_MS,
				       tsc_khz() ? RX_MAX_POLLS : DESC_MAX_POLLS,
				       e1000_read(&rx, E1000_RDH));
				return GS_TIMEOUT;
			}
			rx_polls += (uint64_t)w;
			mb();
			uint8_t status = rd->status, errors = rd->errors;
			uint16_t len = rd->length;
			if (!(status & E1000_RXD_STAT_EOP) || errors || len != fsize)
				return fail("frame %lu: RX descriptor status 0x%02x errors 0x%02x "
					    "length %u, "
					    "want EOP, no error, %u",
					    (unsigned long)seq, status, errors, len, fsize);
			long d = first_difference(rx_buf[next_rx], tx_buf[(first + j) % RING],
						  fsize);
			if (d >= 0)
				return fail("frame %lu: byte %ld received 0x%02x, sent 0x%02x",
					    (unsigned long)seq, d, rx_buf[next_rx][d],
					    tx_buf[(first + j) % RING][d]);
			verified++;
			rd->status = 0;
			next_rx = (next_rx + 1) % RING;
		}
		rdt = (rdt + k) % RING;
		mb();
		e1000_write(&rx, E1000_RDT, rdt);
		sent += k;
	}
	uint64_t cycles = rdtsc() - t0;

	uint32_t gptc = e1000_read(&tx, E1000_GPTC);
	uint32_t gprc = e1000_read(&rx, E1000_GPRC);
	uint32_t tdh = e1000_read(&tx, E1000_TDH);
	uint32_t rdh = e1000_read(&rx, E1000_RDH);
	printf("e1000: GPTC %u GPRC %u TDH %u RDH %u\n", gptc, gprc, tdh, rdh);
	if (gptc != ops || gprc != ops)
		return fail("the NICs counted %u frames sent and %u received, want %lu each", gptc,
			    gprc, (unsigned long)ops);
	if (tdh != tdt || rdh != next_rx)
		return fail("TDH %u RDH %u, want %u and %u", tdh, rdh, tdt, next_rx);

	guest_result.ops = ops;
	guest_result.bytes = ops * (size - ETH_HLEN);
	guest_result.kicks = kicks;
	guest_result.cycles = cycles;
	result_add("size=%lu", (unsigned long)size);
	result_add("batch=%lu", (unsigned long)batch);
	result_add("verified=%lu", (unsigned long)verified);
	result_add("tx_polls=%lu", (unsigned long)tx_polls);
	result_add("rx_polls=%lu", (unsigned long)rx_polls);
	result_add("reset_polls=%lu", (unsigned long)(tx.reset_polls + rx.reset_polls));
	result_add("link_polls=%lu", (unsigned long)(tx.link_polls + rx.link_polls));
	return GS_OK;
}
