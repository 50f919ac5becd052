/*
 * A VIRTIO 1.x driver core for the bare-metal guests: the modern
 * (non-legacy) PCI transport and split virtqueues, polled (no interrupts).
 *
 * Transport: a modern device is 1af4:(0x1040 + device type).  Its registers
 * are reached through vendor-specific PCI capabilities, each naming a BAR,
 * an offset and a length: common configuration, notification (with
 * notify_off_multiplier), ISR status and device-specific configuration.
 * The windows the driver uses are registered as measured MMIO regions
 * "<name>-common", "<name>-notify" and "<name>-device", so the result line
 * counts every register access the driver makes.  The ISR window is never
 * touched (polled, no interrupts) and not registered: three regions per
 * device keep two devices within the library's IO_MAX_REGIONS.
 *
 * Register accesses, all in the device's regions (the formulas the
 * workloads document build on these):
 *   virtio_open():        common: 10 writes + 4 reads.
 *       reset: status=0 (W), status read until 0 (R, once: QEMU resets
 *       synchronously); status=ACKNOWLEDGE (W), |=DRIVER (W); device
 *       features: select 0 (W), read (R), select 1 (W), read (R); driver
 *       features: select 0 (W), write (W), select 1 (W), write (W);
 *       |=FEATURES_OK (W), status read back (R).
 *   virtq_setup():        common: 9 writes + 2 reads per queue: queue_select
 *                         (W), queue_size (R, then W), queue_notify_off (R),
 *                         desc, driver, device address as 32-bit halves
 *                         (6 W), queue_enable=1 (W).
 *   virtio_driver_ok():   common: 1 write.
 *   virtio_cfg_read64():  common: 2 reads of config_generation, device: 2
 *                         reads (once more per generation change; QEMU's
 *                         never changes during a read).
 *   virtio_check():       common: 1 read of device_status.
 *   virtq_kick():         notify: 1 write (16-bit queue index); counted in
 *                         guest_result.kicks too.
 * Descriptors, avail and used rings live in guest memory: no exits.
 * The ISR is never read (nothing raises interrupts we listen to).
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define VIRTIO_PCI_VENDOR      0x1af4
#define VIRTIO_PCI_MODERN_BASE 0x1040 /* device id = base + type */
#define VIRTIO_ID_NET	       1
#define VIRTIO_ID_BLOCK	       2

/* device_status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER	  0x02
#define VIRTIO_STATUS_DRIVER_OK	  0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED	  0x80

/* Feature bits (transport-independent) */
#define VIRTIO_F_VERSION_1 32

/* Descriptor flags */
#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2
/* avail->flags: please do not interrupt us */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

/* Largest queue the driver sets up (smaller if the device's maximum is). */
#define VIRTQ_MAX_SIZE 256

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VIRTQ_MAX_SIZE];
	uint16_t used_event; /* unused: EVENT_IDX is not negotiated */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[VIRTQ_MAX_SIZE];
	uint16_t avail_event;
};

/* One split virtqueue: its rings (in this struct, so in guest memory at an
   identity-mapped address) and the driver's bookkeeping. */
struct virtq {
	struct virtq_desc desc[VIRTQ_MAX_SIZE] __attribute__((aligned(16)));
	struct virtq_avail avail __attribute__((aligned(2)));
	struct virtq_used used __attribute__((aligned(4)));
	void *token[VIRTQ_MAX_SIZE];  /* per head descriptor: the caller's cookie */
	uint16_t index;		      /* queue number within the device */
	uint16_t size;		      /* entries in use (power of two) */
	uint16_t free_head, num_free; /* free descriptors, chained by next */
	uint16_t avail_shadow;	      /* next avail->idx to publish */
	uint16_t last_used;	      /* used entries consumed so far */
	uint64_t notify_addr;	      /* where a kick is written */
	uint64_t kicks, polls;
};

/* One capability window: physical address and length. */
struct virtio_window {
	uint64_t addr;
	uint32_t len;
	int bar;
};

struct virtio_dev {
	struct pci_dev pci;
	struct virtio_window common, notify, isr, device;
	uint32_t notify_mult; /* notify_off_multiplier */
	uint64_t features;    /* offered by the device */
	char names[3][24];    /* region names (must outlive the run) */
};

/* A buffer of a descriptor chain: device-readable, or device-writable when
   `write` is set. */
struct virtq_buf {
	const void *addr;
	uint32_t len;
	bool write;
};

/*
 * Finds the nth (0-based) modern virtio device of `type` on bus 0.  0 and
 * *out filled, or -ENODEV (after noting a transitional device of that type
 * if one is present).
 */
int virtio_find(uint16_t type, unsigned nth, struct pci_dev *out);

/*
 * Opens the device found in dev->pci: places its BARs, enables memory and
 * bus mastering, walks the capabilities, registers the common, notify and
 * device windows as measured regions named after `name` (at most 15
 * characters), resets the
 * device and negotiates exactly `wanted` features (VIRTIO_F_VERSION_1 must
 * be among them and offered).  Ends in FEATURES_OK, not yet DRIVER_OK:
 * set up the queues, then call virtio_driver_ok().  Returns GS_OK or GS_FAIL
 * (after printing why).
 */
int virtio_open(struct virtio_dev *dev, const char *name, uint64_t wanted);

/*
 * Sets up queue `index` with up to `max_size` entries (at most
 * VIRTQ_MAX_SIZE; the device's maximum if smaller) and enables it.  The
 * avail ring asks for no interrupts.  GS_OK or GS_FAIL.
 */
int virtq_setup(struct virtio_dev *dev, struct virtq *q, uint16_t index, uint16_t max_size);

/* Sets DRIVER_OK: the device is live. */
void virtio_driver_ok(struct virtio_dev *dev);

/* Reads device_status and fails if the device gave up (NEEDS_RESET or
   FAILED set, or DRIVER_OK gone).  GS_OK or GS_FAIL. */
int virtio_check(struct virtio_dev *dev);

/* A 64-bit little-endian device-configuration field at `off`, read
   consistently (config_generation before and after, bounded retries).
   0, or -EIO when the generation never settled. */
int virtio_cfg_read64(struct virtio_dev *dev, uint32_t off, uint64_t *v);

/*
 * Queues one descriptor chain of n buffers (readable ones first) and puts
 * its head in the avail ring, not yet visible to the device.  `token` comes
 * back with the used entry.  Head index, or -ENOSPC (too few free
 * descriptors).
 */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *token);

/* Publishes what virtq_add() queued (avail->idx) and notifies the device:
   one MMIO write of the queue index to its notify address. */
void virtq_kick(struct virtq *q);

/* Number of used entries not yet taken with virtq_get_used(). */
uint16_t virtq_used_pending(const struct virtq *q);

/*
 * Polls the used ring until at least n entries are pending, at most
 * max_polls reads of used->idx.  Returns GS_OK or GS_TIMEOUT; the polls are
 * added to q->polls.
 */
int virtq_wait_used(struct virtq *q, uint16_t n, unsigned long max_polls);

/*
 * Takes the next used entry: frees its chain, returns its token and stores
 * the device's written length in *len.  NULL if none is pending.
 */
void *virtq_get_used(struct virtq *q, uint32_t *len);

#endif
