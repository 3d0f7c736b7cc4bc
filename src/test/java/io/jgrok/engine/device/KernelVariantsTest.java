package io.jgrok.engine.device;

import io.jgrok.UserError;
import io.jgrok.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JGROK_KERNELS: which version of each kernel that has more than one the device engine launches. */
class KernelVariantsTest {

    @Test
    void defaultsAreTheFirstVersionsAndCandidatesTheLast() {
        KernelVariants d = KernelVariants.DEFAULTS;
        assertTrue(d.isDefault());
        assertEquals("default kernel versions", d.describe());
        for (KernelVariants.Kernel k : KernelVariants.Kernel.values()) {
            assertEquals(k.kernelName(), d.kernelName(k));
            assertEquals("", d.labelSuffix(k));
        }
        KernelVariants c = KernelVariants.candidates();
        assertFalse(c.isDefault());
        assertEquals("kernel versions tables_attention=warp,column_sums=warp,backward_query=warp", c.describe());
        assertEquals("column_sums_warp", c.kernelName(KernelVariants.Kernel.COLUMN_SUMS));
        assertEquals(" [warp]", c.labelSuffix(KernelVariants.Kernel.BACKWARD_QUERY));
    }

    @Test
    void parsesOneVersionForAllOrKernelByKernel() {
        assertEquals(KernelVariants.candidates(), KernelVariants.parse("warp", "JGROK_KERNELS"));
        assertEquals(KernelVariants.DEFAULTS, KernelVariants.parse(" Thread ", "JGROK_KERNELS"));
        KernelVariants one = KernelVariants.parse("column_sums=warp, backward_query=thread", "JGROK_KERNELS");
        assertEquals(new KernelVariants(Map.of(KernelVariants.Kernel.COLUMN_SUMS, "warp")), one);
        assertEquals("kernel versions column_sums=warp", one.describe());
    }

    @Test
    void badSelectionsSayWhatIsAllowed() {
        String allowed = "kernels and versions (the first is the default): tables_attention (thread, warp), "
                + "column_sums (thread, warp), backward_query (thread, warp)";
        UserError unknownVersion = assertThrows(UserError.class, () -> KernelVariants.parse("fast", "JGROK_KERNELS"));
        assertEquals("JGROK_KERNELS=fast: no kernel has a version 'fast'; " + allowed, unknownVersion.getMessage());
        UserError unknownKernel = assertThrows(UserError.class,
                () -> KernelVariants.parse("gemm=warp", "JGROK_KERNELS"));
        assertEquals("JGROK_KERNELS=gemm=warp: 'gemm=warp' is not kernel=version; " + allowed,
                unknownKernel.getMessage());
        UserError wrongVersion = assertThrows(UserError.class,
                () -> KernelVariants.parse("column_sums=block", "-Djgrok.kernels"));
        assertEquals("-Djgrok.kernels=column_sums=block: column_sums has no version 'block'; " + allowed,
                wrongVersion.getMessage());
        assertThrows(UserError.class, () -> KernelVariants.parse("column_sums=warp,column_sums=thread", "X"));
        assertThrows(UserError.class, () -> KernelVariants.parse("column_sums=", "X"));
    }

    @Test
    void aBadSelectionStopsACommandBeforeItWritesAnything(@TempDir Path tmp) {
        String before = System.getProperty(KernelVariants.PROPERTY);
        try {
            System.setProperty(KernelVariants.PROPERTY, "column_sums=fast");
            KernelVariants.forgetSelection();
            Path run = tmp.resolve("run");
            assertEquals(UserError.EXIT_CODE, Main.run(new String[] {"train", "--device", "emulated", "--p", "7",
                "--d_model", "16", "--n_heads", "2", "--d_mlp", "24", "--n_epochs", "3", "--out", run.toString(),
                "--quiet"}));
            assertFalse(Files.exists(run), "nothing written");
        } finally {
            if (before == null) {
                System.clearProperty(KernelVariants.PROPERTY);
            } else {
                System.setProperty(KernelVariants.PROPERTY, before);
            }
            KernelVariants.forgetSelection();
        }
    }

    @Test
    void theSystemPropertySelects() {
        String before = System.getProperty(KernelVariants.PROPERTY);
        try {
            System.setProperty(KernelVariants.PROPERTY, "tables_attention=warp");
            KernelVariants.forgetSelection();
            assertEquals("kernel versions tables_attention=warp", KernelVariants.selected().describe());
        } finally {
            if (before == null) {
                System.clearProperty(KernelVariants.PROPERTY);
            } else {
                System.setProperty(KernelVariants.PROPERTY, before);
            }
            KernelVariants.forgetSelection();
        }
    }
}
