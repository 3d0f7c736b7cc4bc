package io.jgrok.figures;

import java.awt.Graphics2D;

/**
 * One figure: a file name stem, a title and a one-line caption for the report (what to look for), its size in CSS
 * pixels (the SVG's size; the PNG has {@link FigureFiles#PNG_SCALE} times as many pixels per side), and the code
 * that draws it on any Graphics2D (a bitmap for PNG, VectorGraphics2D for SVG), so both files show the same picture.
 */
public record Figure(String name, String title, String caption, int width, int height, Painter painter) {

    /** Draws the whole figure into [0, width] x [0, height]; the background is already white. */
    @FunctionalInterface
    public interface Painter {
        void paint(Graphics2D g, int width, int height);
    }

    public Figure {
        if (!name.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("figure names are lower-case file stems, got '" + name + "'");
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("figure size must be positive");
        }
    }

    public String pngFile() {
        return name + ".png";
    }

    public String svgFile() {
        return name + ".svg";
    }

    public int pngWidth() {
        return width * FigureFiles.PNG_SCALE;
    }

    public int pngHeight() {
        return height * FigureFiles.PNG_SCALE;
    }
}
