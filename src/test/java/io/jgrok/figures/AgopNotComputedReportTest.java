package io.jgrok.figures;

import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run analysed without the AGOP measures (the CPU's {@code --agop auto}, or {@code off}): the report and the
 * figures command say that they were not computed and how to add them, instead of leaving the reader to wonder.
 */
class AgopNotComputedReportTest {
    @TempDir
    Path tmp;

    @Test
    void theReportAndTheFiguresCommandSayTheAgopMeasuresWereNotComputed() throws Exception {
        RunDirectory plain = TrainedRun.create(tmp.resolve("plain"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Figures.Result r = Figures.run(plain, new Figures.Options(false, new PrintStream(out, true,
                StandardCharsets.UTF_8)));
        assertTrue(r.figures().stream().noneMatch(AgopFigures::isAgop));
        String report = Files.readString(plain.report(), StandardCharsets.UTF_8);
        assertFalse(report.contains("<h2 id=\"agop\">"), "no AGOP section with numbers");
        int note = report.indexOf("id=\"agop-not-computed\"");
        assertTrue(note > 0, "a note where the AGOP section would be");
        String text = report.substring(note, report.indexOf("</p>", note));
        assertTrue(text.contains("not computed") && text.contains("--agop on"), text);
        String said = out.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("AGOP") && said.contains("--agop on"), said);
    }
}
