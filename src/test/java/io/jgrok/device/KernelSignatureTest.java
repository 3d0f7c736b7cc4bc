package io.jgrok.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Kernel signatures and the manifest format shared by the emulator's registry and kernels/jgrok.kernels. */
class KernelSignatureTest {

    @Test
    void parsesEveryLetterAndChecksArguments() {
        KernelSignature sig = KernelSignature.parse("k", "pilfd");
        assertEquals(List.of(KernelArgs.Type.PTR, KernelArgs.Type.I32, KernelArgs.Type.I64, KernelArgs.Type.F32,
                KernelArgs.Type.F64), sig.params());
        assertEquals("k(ptr, i32, i64, f32, f64)", sig.toString());
        sig.check(KernelArgs.of().ptr(null).i32(1).i64(2).f32(3).f64(4));
        DeviceException e = assertThrows(DeviceException.class,
                () -> sig.check(KernelArgs.of().ptr(null).i64(1).i64(2).f32(3).f64(4)));
        assertEquals("kernel k(ptr, i32, i64, f32, f64) was launched with (ptr, i64, i64, f32, f64)", e.getMessage());
        assertThrows(DeviceException.class, () -> sig.check(KernelArgs.of()));
        assertThrows(IllegalArgumentException.class, () -> KernelSignature.parse("k", "px"));
        KernelSignature.parse("none", "").check(KernelArgs.of());
    }

    @Test
    void manifestKeepsOrderSkipsCommentsAndRecordsTheCompiler() {
        KernelManifest m = KernelManifest.parse("# nvcc: Cuda compilation tools, release 13.0, V13.0.88\n"
                + "b_kernel pf\n\na_kernel \n", "test");
        assertEquals(List.of("b_kernel", "a_kernel"), m.names());
        assertEquals(0, m.indexOf("b_kernel"));
        assertEquals(1, m.indexOf("a_kernel"));
        assertEquals("Cuda compilation tools, release 13.0, V13.0.88", m.compiler());
        assertTrue(m.has("a_kernel"));
        assertFalse(m.has("c_kernel"));
        assertEquals(List.of(), m.get("a_kernel").params());
        DeviceException missing = assertThrows(DeviceException.class, () -> m.get("c_kernel"));
        assertTrue(missing.getMessage().startsWith("no kernel named 'c_kernel'"), missing.getMessage());
        assertThrows(DeviceException.class, () -> KernelManifest.parse("k p\nk p\n", "dup"));
        assertThrows(DeviceException.class, () -> KernelManifest.parse("k p extra\n", "bad"));
    }
}
