"""The emulated path of the vmexit-stopwatch device: its registers, one
trapped access at a time (part of test_stopwatch_qtest.py)."""

from stopwatch_device import (BAR0_ADDR, BAR1_ADDR, CMD_BOGUS, CMD_LAP,
                              CMD_RESET, CMD_START, CMD_STOP, ID_VALUE,
                              REG_CMD, REG_ELAPSED_HI, REG_ELAPSED_LO,
                              REG_ID, REG_IRQ_ACK, REG_LAP_COUNT, REG_STATUS,
                              STATUS_RUNNING)


def test_emulated(qt, sw, c):
    c.eq("ID register", sw.reg(REG_ID), ID_VALUE)
    c.eq("STATUS at power-on", sw.reg(REG_STATUS), 0)
    c.eq("ELAPSED at power-on", sw.elapsed(), 0)

    sw.cmd(CMD_START)
    c.eq("STATUS after START", sw.reg(REG_STATUS), STATUS_RUNNING)
    qt.clock_step(1000000)
    sw.cmd(CMD_STOP)
    c.eq("STATUS after STOP", sw.reg(REG_STATUS), 0)
    c.eq("ELAPSED_LO after START, 1 ms, STOP", sw.reg(REG_ELAPSED_LO),
         1000000)
    c.eq("ELAPSED_HI after START, 1 ms, STOP", sw.reg(REG_ELAPSED_HI), 0)

    qt.clock_step(5000)
    c.eq("stopped stopwatch does not advance", sw.elapsed(), 1000000)
    sw.cmd(CMD_STOP)
    c.eq("STOP when stopped is a no-op", sw.elapsed(), 1000000)

    sw.cmd(CMD_START)
    qt.clock_step(250000)
    sw.cmd(CMD_START)
    c.eq("START when running is a no-op", sw.elapsed(), 1250000)
    sw.cmd(CMD_LAP)
    c.eq("first LAP covers everything since RESET", sw.lap(), 1250000)
    c.eq("LAP_COUNT after one lap", sw.reg(REG_LAP_COUNT), 1)
    qt.clock_step(100000)
    sw.cmd(CMD_LAP)
    c.eq("second LAP measures since the first", sw.lap(), 100000)
    c.eq("LAP_COUNT after two laps", sw.reg(REG_LAP_COUNT), 2)

    sw.cmd(CMD_BOGUS)
    c.eq("unknown command changes nothing", (sw.reg(REG_STATUS),
         sw.reg(REG_LAP_COUNT), sw.elapsed()), (STATUS_RUNNING, 2, 1350000))
    sw.set(0x20, CMD_RESET)
    c.eq("write to an unknown offset is ignored", sw.reg(REG_LAP_COUNT), 2)
    qt.writew(BAR0_ADDR + REG_CMD, CMD_STOP)
    c.eq("2-byte write to CMD is rejected", sw.reg(REG_STATUS),
         STATUS_RUNNING)

    # Cross 2^32 ns, then check that reading LO latches HI
    qt.clock_step(5000000000)
    want = 1350000 + 5000000000
    lo = sw.reg(REG_ELAPSED_LO)
    qt.clock_step(1 << 32)  # HI would be one more without the latch
    hi = sw.reg(REG_ELAPSED_HI)
    c.eq("64-bit ELAPSED, HI latched by the LO read", lo | (hi << 32), want)
    c.eq("ELAPSED continues afterwards", sw.elapsed(), want + (1 << 32))

    sw.cmd(CMD_RESET)
    c.eq("RESET: STATUS, LAP_COUNT, ELAPSED, LAP all zero",
         (sw.reg(REG_STATUS), sw.reg(REG_LAP_COUNT), sw.elapsed(), sw.lap()),
         (0, 0, 0, 0))
    qt.clock_step(1000)
    c.eq("RESET stops the stopwatch", sw.elapsed(), 0)

    c.eq("write-only CMD reads 0", sw.reg(REG_CMD), 0)
    c.eq("write-only IRQ_ACK reads 0", sw.reg(REG_IRQ_ACK), 0)
    for off in (0x20, 0x3c, 0x5c, 0x100, 0xffc):
        c.eq("unknown offset 0x%03x reads all ones" % off, sw.reg(off),
             0xffffffff)
    c.eq("doorbell BAR reads all ones", qt.readl(BAR1_ADDR), 0xffffffff)
