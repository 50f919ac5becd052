/*
 * VIRTIO 1.x over modern PCI, split virtqueues, polled.  Written from the
 * VIRTIO 1.x specification (sections "Virtio Over PCI Bus" and "Split
 * Virtqueues"); see virtio.h for the register accesses each call makes.
 */
#include "virtio.h"

#include "guest.h"

/* PCI configuration space */
#define PCI_STATUS	    0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_PTR	    0x34
#define PCI_CAP_ID_VENDOR   0x09
#define PCI_MAX_CAPS	    48 /* bounds a looping capability list */

/* struct virtio_pci_cap, offsets in configuration space */
#define VCAP_TYPE	 3
#define VCAP_BAR	 4
#define VCAP_OFFSET	 8
#define VCAP_LENGTH	 12
#define VCAP_NOTIFY_MULT 16 /* notify capability only */

#define VIRTIO_PCI_CAP_COMMON 1
#define VIRTIO_PCI_CAP_NOTIFY 2
#define VIRTIO_PCI_CAP_ISR    3
#define VIRTIO_PCI_CAP_DEVICE 4

/* struct virtio_pci_common_cfg */
#define VC_DEVICE_FEATURE_SELECT 0x00
#define VC_DEVICE_FEATURE	 0x04
#define VC_DRIVER_FEATURE_SELECT 0x08
#define VC_DRIVER_FEATURE	 0x0c
#define VC_DEVICE_STATUS	 0x14 /* 8 bits */
#define VC_CONFIG_GENERATION	 0x15 /* 8 bits */
#define VC_QUEUE_SELECT		 0x16
#define VC_QUEUE_SIZE		 0x18
#define VC_QUEUE_ENABLE		 0x1c
#define VC_QUEUE_NOTIFY_OFF	 0x1e
#define VC_QUEUE_DESC		 0x20 /* 64 bits, written as two halves */
#define VC_QUEUE_DRIVER		 0x28
#define VC_QUEUE_DEVICE		 0x30
#define VC_COMMON_LEN		 0x38

#define RESET_POLLS   1000000ul
#define CFG_GEN_TRIES 16

/* 8-bit MMIO, counted like the library's wider accessors. */
static uint8_t readb(uint64_t addr)
{
	uint8_t v;
	__asm__ volatile("movb %1, %0"
			 : "=q"(v)
			 : "m"(*(volatile uint8_t *)(uintptr_t)addr)
			 : "memory");
	io_count(IO_MMIO_READ, addr);
	return v;
}

static void writeb(uint64_t addr, uint8_t v)
{
	__asm__ volatile("movb %1, %0"
			 : "=m"(*(volatile uint8_t *)(uintptr_t)addr)
			 : "q"(v)
			 : "memory");
	io_count(IO_MMIO_WRITE, addr);
}

static uint64_t cc(const struct virtio_dev *dev, uint32_t off)
{
	return dev->common.addr + off;
}

int virtio_find(uint16_t type, unsigned nth, struct pci_dev *out)
{
	static struct pci_dev all[64];
	int n = pci_scan(all, 64);
	unsigned seen = 0;
	bool transitional = false;

	for (int i = 0; i < n && i < 64; i++) {
		if (all[i].vendor != VIRTIO_PCI_VENDOR)
			continue;
		if (all[i].device == VIRTIO_PCI_MODERN_BASE + type) {
			if (seen++ == nth) {
				*out = all[i];
				return 0;
			}
		} else if (all[i].device >= 0x1000 && all[i].device < VIRTIO_PCI_MODERN_BASE &&
			   pci_read16(&all[i], 0x2e) == type) { /* subsystem id: the type */
			transitional = true;
		}
	}
	if (transitional)
		printf("note: a transitional virtio device of type %u is present; this driver "
		       "wants a modern one (QEMU: disable-legacy=on)\n",
		       type);
	return -ENODEV;
}

/* Reads the capability at `pos` into *w if its window lies in a memory BAR. */
static bool read_window(const struct pci_dev *d, uint8_t pos, struct virtio_window *w)
{
	uint8_t bar = pci_read8(d, pos + VCAP_BAR);
	if (bar >= PCI_NUM_BARS)
		return false; /* reserved: ignore the capability */
	const struct pci_bar *b = &d->bar[bar];
	uint32_t off = pci_read32(d, pos + VCAP_OFFSET);
	uint32_t len = pci_read32(d, pos + VCAP_LENGTH);
	if (!b->size || b->io || (uint64_t)off + len > b->size)
		return false; /* only memory BARs, window inside */
	w->addr = b->addr + off;
	w->len = len;
	w->bar = bar;
	return true;
}

static int walk_caps(struct virtio_dev *dev)
{
	const struct pci_dev *d = &dev->pci;
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return fail("virtio 00:%02x.%u has no capability list", d->slot, d->fn);

	uint8_t pos = pci_read8(d, PCI_CAP_PTR) & 0xfc;
	for (unsigned n = 0; pos && n < PCI_MAX_CAPS; n++) {
		if (pci_read8(d, pos) == PCI_CAP_ID_VENDOR) {
			uint8_t type = pci_read8(d, pos + VCAP_TYPE);
			struct virtio_window w;
			/* The first usable capability of each type wins. */
			if (type == VIRTIO_PCI_CAP_COMMON && !dev->common.addr &&
			    read_window(d, pos, &w))
				dev->common = w;
			else if (type == VIRTIO_PCI_CAP_NOTIFY && !dev->notify.addr &&
				 read_window(d, pos, &w)) {
				dev->notify = w;
				dev->notify_mult = pci_read32(d, pos + VCAP_NOTIFY_MULT);
			} else if (type == VIRTIO_PCI_CAP_ISR && !dev->isr.addr &&
				   read_window(d, pos, &w))
				dev->isr = w;
			else if (type == VIRTIO_PCI_CAP_DEVICE && !dev->device.addr &&
				 read_window(d, pos, &w))
				dev->device = w;
		}
		pos = pci_read8(d, pos + 1) & 0xfc;
	}
	if (!dev->common.addr || dev->common.len < VC_COMMON_LEN)
		return fail("virtio 00:%02x.%u: no usable common configuration capability", d->slot,
			    d->fn);
	if (!dev->notify.addr || !dev->notify.len)
		return fail("virtio 00:%02x.%u: no usable notification capability", d->slot, d->fn);
	return GS_OK;
}

static int add_region(struct virtio_dev *dev, unsigned i, const char *name, const char *what,
		      const struct virtio_window *w)
{
	if (!w->addr)
		return GS_OK;
	snprintf(dev->names[i], sizeof(dev->names[i]), "%s-%s", name, what);
	if (io_region_add(dev->names[i], true, w->addr, w->len, true) < 0)
		return fail("no room for I/O region %s", dev->names[i]);
	return GS_OK;
}

static bool status_is_zero(void *arg)
{
	const struct virtio_dev *dev = arg;
	return readb(cc(dev, VC_DEVICE_STATUS)) == 0;
}

int virtio_open(struct virtio_dev *dev, const char *name, uint64_t wanted)
{
	struct pci_dev *d = &dev->pci;
	int st;

	dev->common = dev->notify = dev->isr = dev->device = (struct virtio_window){ 0 };
	if (pci_probe_bars(d))
		return fail("no room to place the BARs of virtio 00:%02x.%u", d->slot, d->fn);
	pci_enable(d, PCI_CMD_MEMORY | PCI_CMD_MASTER);
	if ((st = walk_caps(dev)) != GS_OK)
		return st;
	if ((st = add_region(dev, 0, name, "common", &dev->common)) != GS_OK ||
	    (st = add_region(dev, 1, name, "notify", &dev->notify)) != GS_OK ||
	    (st = add_region(dev, 2, name, "device", &dev->device)) != GS_OK)
		return st;
	printf("%s: 1af4:%04x at 00:%02x.%u common 0x%lx notify 0x%lx (x%u) isr 0x%lx device "
	       "0x%lx\n",
	       name, d->device, d->slot, d->fn, (unsigned long)dev->common.addr,
	       (unsigned long)dev->notify.addr, dev->notify_mult, (unsigned long)dev->isr.addr,
	       (unsigned long)dev->device.addr);

	/* Reset, and wait until the device says it is done. */
	writeb(cc(dev, VC_DEVICE_STATUS), 0);
	if (wait_until(status_is_zero, dev, RESET_POLLS) < 0)
		return fail("%s: device_status does not read 0 after a reset", name);
	uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE;
	writeb(cc(dev, VC_DEVICE_STATUS), status);
	status |= VIRTIO_STATUS_DRIVER;
	writeb(cc(dev, VC_DEVICE_STATUS), status);

	writel(cc(dev, VC_DEVICE_FEATURE_SELECT), 0);
	uint64_t offered = readl(cc(dev, VC_DEVICE_FEATURE));
	writel(cc(dev, VC_DEVICE_FEATURE_SELECT), 1);
	offered |= (uint64_t)readl(cc(dev, VC_DEVICE_FEATURE)) << 32;
	dev->features = offered;
	if (!(wanted & 1ull << VIRTIO_F_VERSION_1) || !(offered & 1ull << VIRTIO_F_VERSION_1))
		return fail("%s: VIRTIO_F_VERSION_1 not offered (features 0x%lx)", name,
			    (unsigned long)offered);
	if ((wanted & offered) != wanted)
		return fail("%s: device offers features 0x%lx, the driver needs 0x%lx", name,
			    (unsigned long)offered, (unsigned long)wanted);
	writel(cc(dev, VC_DRIVER_FEATURE_SELECT), 0);
	writel(cc(dev, VC_DRIVER_FEATURE), (uint32_t)wanted);
	writel(cc(dev, VC_DRIVER_FEATURE_SELECT), 1);
	writel(cc(dev, VC_DRIVER_FEATURE), (uint32_t)(wanted >> 32));

	status |= VIRTIO_STATUS_FEATURES_OK;
	writeb(cc(dev, VC_DEVICE_STATUS), status);
	uint8_t back = readb(cc(dev, VC_DEVICE_STATUS));
	if (!(back & VIRTIO_STATUS_FEATURES_OK))
		return fail("%s: device refused features 0x%lx (status 0x%x)", name,
			    (unsigned long)wanted, back);
	return GS_OK;
}

static void write64(const struct virtio_dev *dev, uint32_t off, uint64_t v)
{
	writel(cc(dev, off), (uint32_t)v);
	writel(cc(dev, off + 4), (uint32_t)(v >> 32));
}

int virtq_setup(struct virtio_dev *dev, struct virtq *q, uint16_t index, uint16_t max_size)
{
	writew(cc(dev, VC_QUEUE_SELECT), index);
	uint16_t dev_max = readw(cc(dev, VC_QUEUE_SIZE));
	if (dev_max == 0)
		return fail("virtio queue %u does not exist", index);
	uint16_t size = max_size < VIRTQ_MAX_SIZE ? max_size : VIRTQ_MAX_SIZE;
	if (dev_max < size)
		size = dev_max;
	while (size & (size - 1)) /* split queues: a power of two */
		size &= size - 1;
	writew(cc(dev, VC_QUEUE_SIZE), size);
	uint16_t notify_off = readw(cc(dev, VC_QUEUE_NOTIFY_OFF));
	uint64_t off = (uint64_t)notify_off * dev->notify_mult;
	if (off + 2 > dev->notify.len)
		return fail("virtio queue %u: notify offset 0x%lx outside the 0x%x-byte window",
			    index, (unsigned long)off, dev->notify.len);

	memset(q, 0, sizeof(*q));
	q->index = index;
	q->size = size;
	q->notify_addr = dev->notify.addr + off;
	for (uint16_t i = 0; i < size; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->free_head = 0;
	q->num_free = size;
	q->avail.flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	mb();

	write64(dev, VC_QUEUE_DESC, (uint64_t)(uintptr_t)q->desc);
	write64(dev, VC_QUEUE_DRIVER, (uint64_t)(uintptr_t)&q->avail);
	write64(dev, VC_QUEUE_DEVICE, (uint64_t)(uintptr_t)&q->used);
	writew(cc(dev, VC_QUEUE_ENABLE), 1);
	return GS_OK;
}

void virtio_driver_ok(struct virtio_dev *dev)
{
	writeb(cc(dev, VC_DEVICE_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						  VIRTIO_STATUS_FEATURES_OK |
						  VIRTIO_STATUS_DRIVER_OK);
}

int virtio_check(struct virtio_dev *dev)
{
	uint8_t s = readb(cc(dev, VC_DEVICE_STATUS));
	if ((s & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) ||
	    !(s & VIRTIO_STATUS_DRIVER_OK))
		return fail("virtio 00:%02x.%u: device_status 0x%x (needs reset or failed)",
			    dev->pci.slot, dev->pci.fn, s);
	return GS_OK;
}

int virtio_cfg_read64(struct virtio_dev *dev, uint32_t off, uint64_t *v)
{
	if (!dev->device.addr || off + 8 > dev->device.len)
		return -EINVAL;
	for (unsigned t = 0; t < CFG_GEN_TRIES; t++) {
		uint8_t gen = readb(cc(dev, VC_CONFIG_GENERATION));
		uint64_t lo = readl(dev->device.addr + off);
		uint64_t hi = readl(dev->device.addr + off + 4);
		if (readb(cc(dev, VC_CONFIG_GENERATION)) == gen) {
			*v = lo | hi << 32;
			return 0;
		}
	}
	return -EIO;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *token)
{
	if (n == 0 || n > q->num_free)
		return -ENOSPC;
	uint16_t head = q->free_head, i = head, last = head;
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &q->desc[i];
		d->addr = (uint64_t)(uintptr_t)bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (uint16_t)((bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) |
				      (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		last = i;
		i = d->next; /* free list order: also the chain's */
	}
	q->free_head = q->desc[last].next;
	q->num_free = (uint16_t)(q->num_free - n);
	q->token[head] = token;
	q->avail.ring[q->avail_shadow & (q->size - 1)] = head;
	q->avail_shadow++;
	return head;
}

void virtq_kick(struct virtq *q)
{
	mb(); /* descriptors and ring before the index */
	*(volatile uint16_t *)&q->avail.idx = q->avail_shadow;
	mb(); /* the index before the notification */
	writew(q->notify_addr, q->index);
	q->kicks++;
	guest_result.kicks++;
}

uint16_t virtq_used_pending(const struct virtq *q)
{
	return (uint16_t)(*(const volatile uint16_t *)&q->used.idx - q->last_used);
}

struct used_wait {
	const struct virtq *q;
	uint16_t n;
};

static bool used_reached(void *arg)
{
	const struct used_wait *w = arg;
	return virtq_used_pending(w->q) >= w->n;
}

int virtq_wait_used(struct virtq *q, uint16_t n, unsigned long max_polls)
{
	struct used_wait w = { q, n };
	long polls = wait_until(used_reached, &w, max_polls);
	if (polls < 0) {
		q->polls += max_polls;
		printf("error: queue %u: %u of %u used entries after %lu polls\n", q->index,
		       virtq_used_pending(q), n, max_polls);
		return GS_TIMEOUT;
	}
	q->polls += (uint64_t)polls;
	mb(); /* entries read only after the index */
	return GS_OK;
}

void *virtq_get_used(struct virtq *q, uint32_t *len)
{
	if (!virtq_used_pending(q))
		return NULL;
	mb();
	volatile struct virtq_used_elem *e = &q->used.ring[q->last_used & (q->size - 1)];
	uint32_t id = e->id;
	*len = e->len;
	q->last_used++;
	if (id >= q->size)
		return NULL; /* a broken device; the caller fails */

	/* Return the chain to the free list. */
	uint16_t i = (uint16_t)id, n = 1;
	while ((q->desc[i].flags & VIRTQ_DESC_F_NEXT) && n < q->size) {
		i = q->desc[i].next;
		n++;
	}
	q->desc[i].next = q->free_head;
	q->free_head = (uint16_t)id;
	q->num_free = (uint16_t)(q->num_free + n);
	void *token = q->token[id];
	q->token[id] = NULL;
	return token;
}
