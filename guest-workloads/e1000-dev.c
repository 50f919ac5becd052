#include "e1000-dev.h"

/* Bounds of the two register polls: generous, since on real hardware a
   reset takes microseconds and a link may take a moment; QEMU needs one. */
#define RESET_MAX_POLLS 100000ul
#define LINK_MAX_POLLS	1000000ul

int e1000_find(struct pci_dev *out, int max)
{
	static struct pci_dev all[32];
	int n = pci_scan(all, 32), found = 0;
	for (int i = 0; i < n && i < 32; i++) {
		if (all[i].vendor != E1000_VENDOR_ID || all[i].device != E1000_DEVICE_ID)
			continue;
		if (found < max)
			out[found] = all[i];
		found++;
	}
	return found;
}

int e1000_open(struct e1000 *nic, const struct pci_dev *pci, const char *region)
{
	*nic = (struct e1000){ .pci = *pci, .name = region };
	if (pci_probe_bars(&nic->pci))
		return fail("no room to place the BARs of the e1000 at 00:%02x.%u", pci->slot,
			    pci->fn);
	const struct pci_bar *b = &nic->pci.bar[0];
	if (!b->size || b->io || b->size < E1000_BAR0_MIN_SIZE)
		return fail("e1000 00:%02x.%u: BAR0 is not a 128 KiB memory BAR (size 0x%lx%s)",
			    pci->slot, pci->fn, (unsigned long)b->size, b->io ? ", io" : "");
	nic->regs = b->addr;
	pci_enable(&nic->pci, PCI_CMD_MEMORY | PCI_CMD_MASTER);
	io_region_add(region, true, nic->regs, b->size, true);
	printf("e1000: %s is 00:%02x.%u, BAR0 0x%lx\n", region, pci->slot, pci->fn,
	       (unsigned long)nic->regs);
	return GS_OK;
}

struct reg_poll {
	const struct e1000 *nic;
	uint32_t reg, mask, want, last;
};

static bool reg_matches(void *arg)
{
	struct reg_poll *p = arg;
	p->last = e1000_read(p->nic, p->reg);
	return (p->last & p->mask) == p->want;
}

int e1000_bring_up(struct e1000 *nic)
{
	const char *name = nic->name;

	/* Interrupts masked before the reset and again after it (the reset
       does not promise to leave IMS clear on every part). */
	e1000_write(nic, E1000_IMC, 0xffffffffu);
	e1000_write(nic, E1000_CTRL, E1000_CTRL_RST);
	/* The manual asks for >= 1 us before looking at RST again; no exits. */
	if (tsc_khz())
		busy_wait_us(1);
	struct reg_poll p = { .nic = nic, .reg = E1000_CTRL, .mask = E1000_CTRL_RST, .want = 0 };
	long n = wait_until(reg_matches, &p, RESET_MAX_POLLS);
	if (n < 0) {
		printf("error: %s: CTRL.RST still set after %lu reads\n", name, RESET_MAX_POLLS);
		return GS_TIMEOUT;
	}
	nic->reset_polls = (uint64_t)n;
	e1000_write(nic, E1000_IMC, 0xffffffffu);
	uint32_t ctrl = p.last & ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_VME);
	e1000_write(nic, E1000_CTRL, ctrl | E1000_CTRL_SLU);

	p = (struct reg_poll){
		.nic = nic, .reg = E1000_STATUS, .mask = E1000_STATUS_LU, .want = E1000_STATUS_LU
	};
	n = wait_until(reg_matches, &p, LINK_MAX_POLLS);
	if (n < 0) {
		printf("error: %s: no link (STATUS 0x%08x) after %lu reads\n", name, p.last,
		       LINK_MAX_POLLS);
		return GS_TIMEOUT;
	}
	nic->link_polls = (uint64_t)n;

	/* Receive address 0 holds the MAC the NIC loaded from its EEPROM. */
	uint32_t ral = e1000_read(nic, E1000_RAL0);
	uint32_t rah = e1000_read(nic, E1000_RAH0);
	for (int i = 0; i < 4; i++)
		nic->mac[i] = (uint8_t)(ral >> (8 * i));
	nic->mac[4] = (uint8_t)rah;
	nic->mac[5] = (uint8_t)(rah >> 8);
	printf("e1000: %s MAC %02x:%02x:%02x:%02x:%02x:%02x (RAH0 0x%08x)\n", name, nic->mac[0],
	       nic->mac[1], nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5], rah);
	if ((ral == 0 && (rah & 0xffff) == 0) || (nic->mac[0] & 1))
		return fail("%s: RAL0/RAH0 hold no unicast MAC address (0x%08x 0x%08x)", name, ral,
			    rah);
	e1000_write(nic, E1000_RAL0, ral);
	e1000_write(nic, E1000_RAH0, (rah & 0xffffu) | E1000_RAH_AV);
	return GS_OK;
}
