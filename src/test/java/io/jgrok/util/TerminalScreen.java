package io.jgrok.util;

import java.util.ArrayList;
import java.util.List;

/**
 * What a terminal shows after receiving some output: a small emulation of the control sequences a progress bar
 * uses (carriage return, newline, erase to end of line, cursor up and down, colours ignored), enough to tell
 * whether a line printed under a bar survives its redraws.
 */
public final class TerminalScreen {
    private TerminalScreen() {
    }

    public static List<String> render(String raw) {
        List<StringBuilder> rows = new ArrayList<>();
        rows.add(new StringBuilder());
        int row = 0;
        int col = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\033' && i + 1 < raw.length() && raw.charAt(i + 1) == '[') {
                int j = i + 2;
                while (j < raw.length() && !Character.isLetter(raw.charAt(j))) {
                    j++;
                }
                if (j >= raw.length()) {
                    break;
                }
                String arg = raw.substring(i + 2, j);
                int n = arg.isEmpty() || !arg.matches("[0-9]+") ? 1 : Integer.parseInt(arg);
                switch (raw.charAt(j)) {
                    case 'K' -> rows.get(row).setLength(Math.min(col, rows.get(row).length()));
                    case 'A' -> row = Math.max(0, row - n);
                    case 'B' -> {
                        row += n;
                        while (rows.size() <= row) {
                            rows.add(new StringBuilder());
                        }
                    }
                    default -> {
                        // Colours and the like do not move anything.
                    }
                }
                i = j;
            } else if (c == '\r') {
                col = 0;
            } else if (c == '\n') {
                row++;
                col = 0;
                while (rows.size() <= row) {
                    rows.add(new StringBuilder());
                }
            } else {
                StringBuilder r = rows.get(row);
                while (r.length() < col) {
                    r.append(' ');
                }
                if (col < r.length()) {
                    r.setCharAt(col, c);
                } else {
                    r.append(c);
                }
                col++;
            }
        }
        List<String> out = new ArrayList<>();
        for (StringBuilder r : rows) {
            out.add(r.toString().stripTrailing());
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }
}
