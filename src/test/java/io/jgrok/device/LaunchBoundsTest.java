package io.jgrok.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Launch bounds in the manifest format (kernels/jgrok.kernels and the emulator's registry) and the check every launch
 * passes on both devices. The devices themselves are checked by DeviceContractChecks ("launches are checked against
 * the kernel's launch bounds"), the scan of the sources by LaunchBoundsToolTest.
 */
class LaunchBoundsTest {

    @Test
    void manifestCarriesBoundsMinimumBlocksAndExactness() {
        KernelManifest m = KernelManifest.parse("# nvcc: test\n"
                + "plain pi\n"
                + "bounded pif launch_bounds=256\n"
                + "occupancy pp launch_bounds=256,4\n"
                + "tree p launch_bounds=128 exact\n"
                + "no_params  launch_bounds=32\n", "test");
        assertEquals(LaunchBounds.NONE, m.bounds("plain"));
        assertEquals(new LaunchBounds(256, 0, false), m.bounds("bounded"));
        assertEquals(new LaunchBounds(256, 4, false), m.bounds("occupancy"));
        assertEquals(new LaunchBounds(128, 0, true), m.bounds("tree"));
        assertEquals(new LaunchBounds(32, 0, false), m.bounds("no_params"));
        assertEquals(0, m.get("no_params").params().size());
        assertEquals(3, m.get("bounded").params().size());
        assertThrows(DeviceException.class, () -> m.bounds("missing"));
    }

    @Test
    void malformedBoundsAreRefused() {
        for (String bad : new String[] {"k p launch_bounds=x\n", "k p exact\n", "k p launch_bounds=256 exact exact\n",
                "k p launch_bounds=256 launch_bounds=128\n", "k p launch_bounds=256 fast\n"}) {
            DeviceException e = assertThrows(DeviceException.class, () -> KernelManifest.parse(bad, "bad"), bad);
            assertTrue(e.getMessage().startsWith("bad:1: expected 'name signature [launch_bounds=T[,B] [exact]]'"),
                    e.getMessage());
        }
    }

    @Test
    void checkRefusesMoreThreadsThanTheBoundAndOtherCountsForExactKernels() {
        LaunchBounds atMost = new LaunchBounds(256, 0, false);
        atMost.check("k", Dim3.of(256));
        atMost.check("k", Dim3.of(32));
        atMost.check("k", new Dim3(16, 16, 1));
        DeviceException e = assertThrows(DeviceException.class, () -> atMost.check("k", Dim3.of(512)));
        assertEquals("kernel k: block (512, 1, 1) has 512 threads, more than its __launch_bounds__ allow (256); nvcc "
                + "compiled it for at most 256 (registers, shared arrays and thread mappings are sized for that)",
                e.getMessage());
        assertThrows(DeviceException.class, () -> atMost.check("k", new Dim3(32, 16, 1)));

        LaunchBounds exact = new LaunchBounds(256, 0, true);
        exact.check("t", Dim3.of(256));
        exact.check("t", new Dim3(32, 8, 1));
        DeviceException few = assertThrows(DeviceException.class, () -> exact.check("t", Dim3.of(128)));
        assertEquals("kernel t: block (128, 1, 1) has 128 threads; it needs exactly 256 (JGROK_EXACT_LAUNCH_BOUNDS: "
                + "its shared arrays and thread mapping assume that many)", few.getMessage());
        assertThrows(DeviceException.class, () -> exact.check("t", Dim3.of(512)));

        LaunchBounds.NONE.check("free", Dim3.of(1024));
        assertEquals("launch_bounds=256,4 exact", new LaunchBounds(256, 4, true).manifestText());
        assertEquals("", LaunchBounds.NONE.manifestText());
    }
}
