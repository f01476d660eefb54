import CTesseract
import Glibc

/// Reads a fax image with libtesseract (French and English), page by page, and gives its words
/// as tesseract TSV: the same text the `.tsv` path reads, so that an image follows that path.
///
/// Fax resolutions (204 × 98 dpi standard, 204 × 196 fine) are scaled to 300 dpi with
/// leptonica before OCR, which reads poorly below that. An image without a resolution that is
/// 1728 pixels wide (a fax line) is taken as 204 dpi across, with the height's resolution
/// guessed from the page's proportions; any other image without one is read as it is.
enum TesseractOCR {
    struct Output {
        var words: [OCRWord]
        var notes: [(String, String)]
    }

    /// The target resolution for OCR.
    static let ocrResolution = 300

    /// At most this many pages are read from one file: a fax of a list is a few pages.
    static let maximumPages = 50

    static func read(imageAt path: String) throws -> Output {
        setMsgSeverity(Int32(L_SEVERITY_NONE))
        var pages = try loadPages(path)
        defer { for index in pages.indices { pixDestroy(&pages[index]) } }
        guard !pages.isEmpty else { throw FileRefusal("the image has no page that can be read") }
        guard pages.count <= maximumPages else {
            throw FileRefusal(
                "the image has \(pages.count) pages; a faxed list has at most \(maximumPages)")
        }

        guard let api = TessBaseAPICreate() else {
            throw FileRefusal("tesseract could not be started")
        }
        defer {
            TessBaseAPIEnd(api)
            TessBaseAPIDelete(api)
        }
        guard TessBaseAPIInit3(api, nil, "fra+eng") == 0 else {
            throw FileRefusal(
                "tesseract cannot load its French and English data (tesseract-ocr-fra, tesseract-ocr-eng)"
            )
        }
        TessBaseAPISetPageSegMode(api, PSM_SINGLE_BLOCK)
        _ = TessBaseAPISetVariable(api, "debug_file", "/dev/null")

        var words: [OCRWord] = []
        var notes: [(String, String)] = [("pages", String(pages.count))]
        for (index, page) in pages.enumerated() {
            guard let page else { continue }
            var (scaled, note) = scaledForOCR(page)
            defer { pixDestroy(&scaled) }
            if index == 0 { notes.append(("resolution", note)) }
            TessBaseAPISetImage2(api, scaled)
            TessBaseAPISetSourceResolution(api, Int32(ocrResolution))
            guard TessBaseAPIRecognize(api, nil) == 0 else {
                throw FileRefusal("tesseract could not read page \(index + 1) of the image")
            }
            words += pageWords(api, page: index + 1)
        }
        return Output(words: words, notes: notes)
    }

    /// The words of the page just recognised, with their boxes, confidence, and the line
    /// (block, paragraph, line) tesseract put each in: what its TSV output would hold.
    private static func pageWords(_ api: OpaquePointer, page: Int) -> [OCRWord] {
        guard let iterator = TessBaseAPIGetIterator(api) else { return [] }
        defer { TessResultIteratorDelete(iterator) }
        let pageIterator = TessResultIteratorGetPageIteratorConst(iterator)
        var words: [OCRWord] = []
        var block = 0
        var paragraph = 0
        var line = 0
        repeat {
            if TessPageIteratorIsAtBeginningOf(pageIterator, RIL_BLOCK) != 0 { block += 1 }
            if TessPageIteratorIsAtBeginningOf(pageIterator, RIL_PARA) != 0 { paragraph += 1 }
            if TessPageIteratorIsAtBeginningOf(pageIterator, RIL_TEXTLINE) != 0 { line += 1 }
            var left: Int32 = 0
            var top: Int32 = 0
            var right: Int32 = 0
            var bottom: Int32 = 0
            guard
                TessPageIteratorBoundingBox(pageIterator, RIL_WORD, &left, &top, &right, &bottom)
                    != 0,
                let text = TessResultIteratorGetUTF8Text(iterator, RIL_WORD)
            else { continue }
            let word = String(cString: text).trimmedField
            TessDeleteText(text)
            guard !word.isEmpty else { continue }
            words.append(
                OCRWord(
                    text: word, page: page, left: Int(left), top: Int(top),
                    width: Int(right - left),
                    height: Int(bottom - top),
                    confidence: Double(TessResultIteratorConfidence(iterator, RIL_WORD)),
                    group: [page, block, paragraph, line]))
        } while TessResultIteratorNext(iterator, RIL_WORD) != 0
        return words
    }

    /// Every page of a TIFF, or the one image of another format.
    private static func loadPages(_ path: String) throws -> [UnsafeMutablePointer<PIX>?] {
        let lower = path.lowercased()
        if lower.hasSuffix(".tif") || lower.hasSuffix(".tiff") {
            var pixa = pixaReadMultipageTiff(path)
            guard pixa != nil else {
                throw FileRefusal("the file is not a TIFF image that can be read")
            }
            defer { pixaDestroy(&pixa) }
            let count = pixaGetCount(pixa)
            return (0..<count).compactMap { pixaGetPix(pixa, $0, Int32(L_COPY)) }.map {
                Optional($0)
            }
        }
        guard let pix = pixRead(path) else {
            throw FileRefusal("the file is not an image that can be read")
        }
        return [pix]
    }

    /// The page in grey, scaled to 300 dpi, and how its resolution was known.
    private static func scaledForOCR(_ page: UnsafeMutablePointer<PIX>) -> (
        UnsafeMutablePointer<PIX>?, String
    ) {
        var xres = Int(pixGetXRes(page))
        var yres = Int(pixGetYRes(page))
        let width = Int(pixGetWidth(page))
        let height = Int(pixGetHeight(page))
        var note = "\(xres)x\(yres) dpi"
        if xres <= 0 || yres <= 0 {
            if (1700...1760).contains(width) {
                // A fax line is 1728 pixels at 204 dpi; a letter page is 11 inches tall.
                xres = 204
                yres = Double(height) / 11.0 < 140 ? 98 : 196
                note = "none given; taken as fax \(xres)x\(yres) dpi"
            } else {
                xres = ocrResolution
                yres = ocrResolution
                note = "none given; read as it is"
            }
        }
        var grey = pixConvertTo8(page, 0)
        defer { pixDestroy(&grey) }
        let sx = Float(ocrResolution) / Float(xres)
        let sy = Float(ocrResolution) / Float(yres)
        let scaled =
            (abs(sx - 1) < 0.05 && abs(sy - 1) < 0.05)
            ? pixCopy(nil, grey)! : pixScale(grey, sx, sy)!
        pixSetResolution(scaled, Int32(ocrResolution), Int32(ocrResolution))
        return (scaled, note)
    }
}
