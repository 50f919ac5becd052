/*
 * Multiboot (v1) entry.  QEMU's -kernel loader only accepts ELF32 images, so
 * the 64-bit link is converted with objcopy; this stub starts in 32-bit
 * protected mode (paging off, EAX = magic, EBX = multiboot info), maps the
 * low 4 GiB 1:1 with 2 MiB pages (PCI BARs sit just below 4 GiB), enters long
 * mode and calls guest_main(magic, info) in 64-bit C.  Interrupts stay off
 * for the whole run; the IDT exists only to report CPU exceptions.
 */
#define MB_MAGIC    0x1BADB002
#define MB_FLAGS    0x00000002          /* ask for the memory fields */
#define PTE_PRESENT 0x001
#define PTE_WRITE   0x002
#define PTE_PWT     0x008
#define PTE_PCD     0x010
#define PTE_LARGE   0x080
#define MMIO_FIRST_2M 1536              /* 3 GiB / 2 MiB: uncached from here */
#define SEL_CODE64  0x08
#define SEL_DATA    0x10

        .section .multiboot, "a"
        .balign 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .section .text.boot, "ax"
        .code32
        .globl _start
_start:
        cli
        cld
        mov %eax, %esi                  /* keep magic and info across rep stos */
        mov %ebx, %ebp
        /* Zero .bss ourselves (page tables, stack): no loader promise needed. */
        mov $__bss_start, %edi
        mov $__bss_end, %ecx
        sub %edi, %ecx
        shr $2, %ecx
        xor %eax, %eax
        rep stosl
        mov %esi, boot_magic
        mov %ebp, boot_info

        /* 2048 PD entries of 2 MiB cover 4 GiB; the top GiB (MMIO) uncached. */
        xor %ecx, %ecx
1:      mov %ecx, %eax
        shl $21, %eax
        or $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
        cmp $MMIO_FIRST_2M, %ecx
        jb 2f
        or $(PTE_PCD | PTE_PWT), %eax
2:      mov %eax, boot_pd(,%ecx,8)
        inc %ecx
        cmp $2048, %ecx
        jne 1b
        /* PDPT entries 0..3 point at the four page directories. */
        xor %ecx, %ecx
3:      mov %ecx, %eax
        shl $12, %eax
        add $(boot_pd + PTE_PRESENT + PTE_WRITE), %eax
        mov %eax, boot_pdpt(,%ecx,8)
        inc %ecx
        cmp $4, %ecx
        jne 3b
        movl $(boot_pdpt + PTE_PRESENT + PTE_WRITE), boot_pml4

        lgdt gdt_desc
        mov %cr4, %eax
        or $0x20, %eax                  /* CR4.PAE */
        mov %eax, %cr4
        mov $boot_pml4, %eax
        mov %eax, %cr3
        mov $0xC0000080, %ecx           /* EFER */
        rdmsr
        or $0x100, %eax                 /* EFER.LME */
        wrmsr
        mov %cr0, %eax
        or $0x80000001, %eax            /* CR0.PG | CR0.PE */
        mov %eax, %cr0
        ljmp $SEL_CODE64, $start64

        .code64
start64:
        mov $SEL_DATA, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov %ax, %fs
        mov %ax, %gs
        mov $boot_stack_top, %rsp
        mov boot_magic(%rip), %edi
        mov boot_info(%rip), %esi
        call guest_main
4:      cli                             /* guest_main never returns */
        hlt
        jmp 4b

/*
 * Exception stubs: push a zero where the CPU pushes no error code, then the
 * vector, so exception_handler() always sees the same frame layout.
 */
        .macro EXC_STUB vec
exc_stub_\vec:
        .if !((\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || \
              (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || \
              (\vec == 29) || (\vec == 30))
        push $0
        .endif
        push $\vec
        jmp exc_common
        .endm

        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        EXC_STUB \v
        .endr

exc_common:
        mov %rsp, %rdi                  /* struct exc_frame * */
        and $-16, %rsp
        call exception_handler          /* reports and exits; never returns */
5:      cli
        hlt
        jmp 5b

        .section .rodata
        .balign 8
        .globl exc_stubs
exc_stubs:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad exc_stub_\v
        .endr

        .section .data
        .balign 8
gdt:
        .quad 0
        .quad 0x00af9a000000ffff        /* 0x08: 64-bit code, DPL 0 */
        .quad 0x00cf92000000ffff        /* 0x10: flat data */
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long gdt, 0                    /* upper half zero: valid in 64-bit too */
boot_magic:
        .long 0
boot_info:
        .long 0

        .section .bss
        .balign 4096
boot_pml4:
        .skip 4096
boot_pdpt:
        .skip 4096
boot_pd:
        .skip 4 * 4096
        .balign 16
boot_stack:
        .skip 32768
boot_stack_top:

        .section .note.GNU-stack, "", @progbits
