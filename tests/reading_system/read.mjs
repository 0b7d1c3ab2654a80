// Opens an EPUB in foliate-js, in Debian's Chromium (headless, driven by puppeteer-core), and
// reports what a reader sees as JSON on stdout; saves screenshots. Called by test_reading_system.py:
//   node read.mjs BOOK.epub SCREENSHOT_DIR '{"popups": [href, ...], "chapters": [file, ...]}'
import { createServer } from 'node:http'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, extname, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import puppeteer from 'puppeteer-core'

const [book, shots, plan] = process.argv.slice(2)
const { popups, chapters, screenshots } = JSON.parse(plan)
const here = dirname(fileURLToPath(import.meta.url))
const roots = { '/foliate/': join(here, '../../node_modules/foliate-js/'), '/': here + '/' }
const types = { '.js': 'text/javascript', '.html': 'text/html', '.epub': 'application/epub+zip' }

const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname)
    const prefix = Object.keys(roots).find(p => path.startsWith(p))
    const file = path === '/book.epub' ? book : join(roots[prefix], path.slice(prefix.length))
    try {
        const body = await readFile(file)
        response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body)
    } catch {
        response.writeHead(404).end()
    }
})
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
const profile = await mkdtemp(join(tmpdir(), 'chromium-'))
const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--no-first-run', '--disable-sync', `--user-data-dir=${profile}`],
})
const result = { toc: [], popups: [], paragraphs: [], contrast: [], targets: [], screenshots: [] }
try {
    const page = await browser.newPage()
    page.on('pageerror', error => result.error ??= String(error))
    await page.setViewport({ width: 600, height: 800 })
    await page.goto(`http://127.0.0.1:${server.address().port}/reader.html`)
    await page.waitForFunction(() => window.reader)
    await page.evaluate(() => reader.open('/book.epub'))
    result.toc = await page.evaluate(() => reader.toc())

    for (const href of popups) {
        await page.evaluate(target => reader.goTo(target), href)
        const id = href.split('#')[1]
        const box = await page.evaluate(target => reader.box(target), id)
        if (!box) { result.popups.push({ href, error: 'not on screen' }); continue }
        result.targets.push({ href, width: box.width, height: box.height })
        const shown = page.evaluate(() => reader.popupShown())
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)  // a reader's tap
        result.popups.push({ href, ...(await shown) })
        await page.evaluate(() => reader.closePopup())
    }
    for (const chapter of chapters) {
        await page.evaluate(target => reader.goTo(target), chapter)
        result.paragraphs.push(...(await page.evaluate(() => reader.paragraphs())).map(p => ({ chapter, ...p })))
        await page.evaluate(() => reader.theme(true))
        result.contrast.push(...(await page.evaluate(() => reader.contrast())).map(c => ({ chapter, ...c })))
        await page.evaluate(() => reader.theme(false))
    }

    for (const [width, height] of [[600, 800], [390, 844]]) {
        await page.setViewport({ width, height })
        const shoot = async name => {
            const path = join(shots, `${name}-${width}x${height}.png`)
            await page.screenshot({ path })
            result.screenshots.push(path)
        }
        await page.evaluate(target => reader.goTo(target), screenshots.page)
        await shoot('page')
        await page.evaluate(target => reader.goTo(target), screenshots.popup)
        const box = await page.evaluate(target => reader.box(target), screenshots.popup.split('#')[1])
        const shown = page.evaluate(() => reader.popupShown())
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
        await shown
        await shoot('popup')
        await page.evaluate(() => reader.closePopup())
        await page.evaluate(() => reader.theme(true))
        await page.evaluate(target => reader.goTo(target), screenshots.page)
        await shoot('night')
        await page.evaluate(() => reader.theme(false))
        await page.evaluate(() => reader.goTo('EPUB/nav.xhtml'))
        await shoot('contents')
    }
} finally {
    await browser.close()
    server.close()
    await rm(profile, { recursive: true, force: true })
}
process.stdout.write(JSON.stringify(result))
