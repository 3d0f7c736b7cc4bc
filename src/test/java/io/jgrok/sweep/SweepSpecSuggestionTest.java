package io.jgrok.sweep;

import io.jgrok.UserError;
import io.jgrok.cli.TrainFlags;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A misspelled key in a sweep spec gets the same "did you mean" as a misspelled train flag. */
class SweepSpecSuggestionTest {
    private static String error(String json) {
        return assertThrows(UserError.class, () -> SweepSpec.parse(json, Path.of("."), "s.json", new TrainFlags()))
                .getMessage();
    }

    @Test
    void aMisspelledKeyIsAnsweredWithTheNearestFlag() {
        assertEquals("sweep spec s.json: unknown key 'weight_decy' (did you mean 'weight_decay'?); keys are the flags "
                + "of ./jgrok train (see ./jgrok train --help, except out, resume, force, quiet) and \"analysis\"",
                error("{\"weight_decy\": [1, 2]}"));
        assertEquals(true, error("{\"lrr\": 0.1}").contains("unknown key 'lrr' (did you mean 'lr'?)"));
        assertEquals(true, error("{\"zzzzzz\": 1}").startsWith("sweep spec s.json: unknown key 'zzzzzz'; keys"));
        assertEquals(true, error("{\"out\": \"x\"}").startsWith("sweep spec s.json: unknown key 'out'; keys"),
                "a flag a spec may not set is not suggested");
    }
}
