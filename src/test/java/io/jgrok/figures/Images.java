package io.jgrok.figures;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks that an image file is what it claims to be and shows something. */
final class Images {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** A picture with less than this share of non-background pixels is considered blank. */
    static final double MIN_INK = 0.02;
    /** ... or with fewer distinct colours than this (text and one curve on white already give dozens). */
    static final int MIN_COLOURS = 16;

    private Images() {
    }

    /** Decodes a PNG, checks its signature and size, and that it is not blank; returns it. */
    static BufferedImage assertPng(Path file, int width, int height) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > PNG_SIGNATURE.length, file + " is empty");
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length), file + " is not a PNG");
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " does not decode");
        assertEquals(width, img.getWidth(), file + " width");
        assertEquals(height, img.getHeight(), file + " height");
        assertNotBlank(img, file.toString());
        return img;
    }

    /** Fails if the image is (nearly) one colour. */
    static void assertNotBlank(BufferedImage img, String what) {
        int background = img.getRGB(0, 0) & 0xFFFFFF;
        Set<Integer> colours = new HashSet<>();
        long ink = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y) & 0xFFFFFF;
                if (colours.size() < 10_000) {
                    colours.add(c);
                }
                if (c != background) {
                    ink++;
                }
            }
        }
        double share = (double) ink / ((long) img.getWidth() * img.getHeight());
        assertTrue(share >= MIN_INK, what + " is blank: " + share + " of its pixels differ from the background");
        assertTrue(colours.size() >= MIN_COLOURS, what + " has only " + colours.size() + " colours");
    }

    /**
     * Parses an SVG (without fetching its DTD), checks the root element's size and that it draws something;
     * returns the document.
     */
    static Document assertSvg(Path file, int width, int height) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setValidating(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder b = f.newDocumentBuilder();
        Document doc;
        try (InputStream in = Files.newInputStream(file)) {
            doc = b.parse(in);
        }
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName(), file + " root element");
        assertEquals(width + "px", root.getAttribute("width"), file + " width");
        assertEquals(height + "px", root.getAttribute("height"), file + " height");
        assertEquals("0 0 " + width + " " + height, root.getAttribute("viewBox"), file + " viewBox");
        int shapes = 0;
        for (String tag : new String[] {"path", "rect", "line", "image", "text", "polygon", "polyline"}) {
            shapes += doc.getElementsByTagNameNS("*", tag).getLength();
        }
        assertTrue(shapes >= 20, file + " draws only " + shapes + " elements");
        return doc;
    }

    /** Pixels of exactly colour {@code rgb} (0xRRGGBB; alpha ignored): how much of a series a figure drew. */
    static int pixelsOf(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == (rgb & 0xFFFFFF)) {
                    n++;
                }
            }
        }
        return n;
    }
}
