package jangle.banking.app.cli;

/**
 * How many terminal columns a text takes: East Asian wide and fullwidth characters (CJK, Hangul, kana, fullwidth
 * forms) and emoji shown as pictures take two, combining marks, format characters (zero-width joiner, variation
 * selectors) and controls none, everything else one. This is what terminals do (the {@code wcwidth} convention), so
 * tables pad by it, not by {@code char}s or code points. The wide ranges are Unicode's East Asian Width W and F
 * blocks; emoji come from {@link Character#isEmojiPresentation(int)} (JDK 21).
 */
final class DisplayWidth {
    /** Pairs of first and last code point of the wide (W) and fullwidth (F) blocks, ascending. */
    private static final int[] WIDE = {
            0x1100, 0x115F, 0x2329, 0x232A, 0x2E80, 0x303E, 0x3041, 0x33FF, 0x3400, 0x4DBF, 0x4E00, 0x9FFF,
            0xA000, 0xA4CF, 0xA960, 0xA97F, 0xAC00, 0xD7A3, 0xF900, 0xFAFF, 0xFE10, 0xFE19, 0xFE30, 0xFE6F,
            0xFF00, 0xFF60, 0xFFE0, 0xFFE6, 0x1B000, 0x1B2FF, 0x20000, 0x2FFFD, 0x30000, 0x3FFFD};

    private DisplayWidth() {
    }

    /** The columns {@code text} takes on a terminal. */
    static int of(String text) {
        int width = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            width += of(cp);
            i += Character.charCount(cp);
        }
        return width;
    }

    /** The columns one code point takes: 0, 1 or 2. */
    static int of(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.CONTROL -> {
                return 0;
            }
            default -> {
                // fall through to the width tests
            }
        }
        if (cp < 0x1100) return 1;
        if (Character.isEmojiPresentation(cp)) return 2;
        for (int i = 0; i < WIDE.length; i += 2) {
            if (cp < WIDE[i]) return 1;
            if (cp <= WIDE[i + 1]) return 2;
        }
        return 1;
    }
}
