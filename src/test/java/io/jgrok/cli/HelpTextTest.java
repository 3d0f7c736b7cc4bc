package io.jgrok.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's --help speaks to a user: sizes in terms of the flags (P + 1 logits, not the paper's 114), and
 * documents named by their path (README.md no longer holds the kernels' cost table).
 */
class HelpTextTest {
    private static String help(String command) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(new String[] {command, "--help"}));
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpTextsNameFlagsAndFilesNotThePapersNumbersOrAVagueReadme() {
        for (String command : new String[] {"train", "bench", "predict", "analyze", "figures", "sweep", "import",
                "export", "gpu-check"}) {
            String h = help(command);
            assertTrue(h.startsWith("usage: ./jgrok " + command), h);
            assertFalse(h.contains("114") || h.contains(" 113 "), command + " --help: sizes follow --p:\n" + h);
            assertFalse(h.contains("README's"), command + " --help: which README?\n" + h);
        }
        assertTrue(help("train").contains("P + 1 output logits"));
    }
}
