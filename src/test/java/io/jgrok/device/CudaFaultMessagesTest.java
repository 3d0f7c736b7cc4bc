package io.jgrok.device;

import jcuda.CudaException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel faults on a GPU, without one: the errors that leave the context unusable get their own sentence (what
 * happened, that the named call is only where it surfaced, that every later call fails, how to name the kernel),
 * the debug mode's message names the kernel, and a probe told the context is unusable says so afterwards.
 */
class CudaFaultMessagesTest {

    @Test
    void stickyErrorsSayWhatHappenedAndHowToFindTheKernel() {
        for (String code : CudaErrors.STICKY.keySet()) {
            DeviceException e = CudaErrors.of("copyToHost", new CudaException(code));
            String m = e.getMessage();
            assertTrue(m.startsWith("copyToHost: " + CudaErrors.STICKY.get(code) + " (" + code + ")"), m);
            assertTrue(m.contains("not necessarily the one named"), m);
            assertTrue(m.contains("every later GPU call of this process fails"), m);
            assertTrue(m.contains("JGROK_DEVICE_SYNC=1"), m);
            assertFalse(m.contains("\n"), m);
            assertTrue(CudaErrors.isSticky(new CudaException(code)), code);
        }
        assertFalse(CudaErrors.isSticky(new CudaException("CUDA_ERROR_OUT_OF_MEMORY")));
        assertFalse(CudaErrors.isSticky(new CudaException("CUDA_ERROR_INVALID_VALUE")));
    }

    @Test
    void theDebugModeNamesTheKernel() {
        String m = CudaErrors.stickyAt("kernel forward_gather (grid (1597, 1, 1), block (256, 1, 1))",
                "CUDA_ERROR_ILLEGAL_ADDRESS");
        assertEquals("kernel forward_gather (grid (1597, 1, 1), block (256, 1, 1)) faulted: a kernel read or wrote "
                + "an invalid address (CUDA_ERROR_ILLEGAL_ADDRESS); the CUDA context is now unusable and every later "
                + "GPU call of this process fails", m);
    }

    @Test
    void theDebugModeIsTurnedOnByItsVariableOrProperty() {
        boolean before = Devices.syncEveryLaunch();
        System.setProperty("jgrok.device.sync", "true");
        try {
            assertTrue(Devices.syncEveryLaunch());
        } finally {
            System.clearProperty("jgrok.device.sync");
        }
        assertEquals(before, Devices.syncEveryLaunch());
    }
}
