package io.jgrok.figures;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import io.jgrok.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Renders a {@link Figure} to PNG (bitmap, at twice its CSS size, for sharp text on high-density screens) and SVG. */
public final class FigureFiles {
    /** Device pixels per CSS pixel in the PNGs. */
    public static final int PNG_SCALE = 2;

    private FigureFiles() {
    }

    /** Writes DIR/name.png and DIR/name.svg atomically. */
    public static void write(Figure f, Path dir) throws IOException {
        AtomicFiles.write(dir.resolve(f.pngFile()), png(f));
        AtomicFiles.write(dir.resolve(f.svgFile()), svg(f).getBytes(StandardCharsets.UTF_8));
    }

    static BufferedImage bitmap(Figure f) {
        BufferedImage img = new BufferedImage(f.pngWidth(), f.pngHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, f.pngWidth(), f.pngHeight());
            g.scale(PNG_SCALE, PNG_SCALE);
            f.painter().paint(g, f.width(), f.height());
        } finally {
            g.dispose();
        }
        return img;
    }

    static byte[] png(Figure f) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(bitmap(f), "png", out)) {
            throw new IOException("no PNG writer in this JVM");
        }
        return out.toByteArray();
    }

    static String svg(Figure f) throws IOException {
        VectorGraphics2D g = new VectorGraphics2D();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, f.width(), f.height());
        f.painter().paint(g, f.width(), f.height());
        g.dispose();
        Document doc = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, f.width(), f.height()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        doc.writeTo(out);
        String text = out.toString(StandardCharsets.UTF_8);
        // Heatmap cells are embedded bitmaps: keep them as sharp squares when the browser scales the SVG, and give
        // the text a fallback family where DejaVu Sans is not installed.
        return text.replace("<image ", "<image style=\"image-rendering:pixelated\" ")
                .replace("font-family:&quot;DejaVu Sans&quot;;", "font-family:'DejaVu Sans',Verdana,sans-serif;")
                .replace("font-family:\"DejaVu Sans\";", "font-family:'DejaVu Sans',Verdana,sans-serif;");
    }
}
