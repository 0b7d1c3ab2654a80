// The page a test opens: foliate-js shows the book, and its footnote handler shows a link's
// target in a pop-up, as the Foliate app does. The test (read.mjs) drives it through `window.reader`.
import '/foliate/view.js'
import { FootnoteHandler } from '/foliate/footnotes.js'

// What foliate-js's own reader does: hide notes in the flow, since they pop up.
const HIDE_NOTES = `@namespace epub "http://www.idpf.org/2007/ops";
aside[epub|type~="footnote"], aside[epub|type~="endnote"] { display: none; }`
// A night theme that sets the body's colours and nothing else.
const DARK = { color: 'rgb(230, 230, 230)', background: 'rgb(18, 18, 18)' }
const themeCSS = dark => dark ? `body { color: ${DARK.color} !important; background: ${DARK.background} !important; }` : ''

const popup = document.getElementById('popup')
const view = document.createElement('foliate-view')
document.body.prepend(view)
const footnotes = new FootnoteHandler()
let shown = null
footnotes.addEventListener('before-render', e => {
    const { view: popupView } = e.detail
    popupView.addEventListener('load', () => popupView.renderer.setStyles?.(HIDE_NOTES))
    popupView.renderer?.setAttribute('flow', 'scrolled')
    popup.replaceChildren(popupView)
    popup.hidden = false
})
footnotes.addEventListener('render', e => shown?.(e.detail))
view.addEventListener('link', e => { footnotes.handle(view.book, e)?.catch(error => shown?.({ error })) })

const doc = () => view.renderer.getContents()[0].doc

window.reader = {
    async open(url) {
        const blob = await (await fetch(url)).blob()
        await view.open(new File([blob], 'book.epub'))
        view.renderer.setAttribute('max-column-count', '1')
        await this.theme(false)
    },
    async theme(dark) {
        view.renderer.setStyles(HIDE_NOTES + themeCSS(dark))
        await new Promise(resolve => requestAnimationFrame(resolve))
    },
    async goTo(target) {
        await view.goTo(target)
        await new Promise(resolve => setTimeout(resolve, 150))
    },
    toc() {
        const walk = (items, depth) => items.flatMap(item =>
            [{ label: item.label.trim(), href: item.href, depth }, ...walk(item.subitems ?? [], depth + 1)])
        return walk(view.book.toc ?? [], 0)
    },
    sections: () => view.book.sections.map(section => section.id),
    // Where an element of the current section is on the screen, or null when it is not shown.
    box(id) {
        const element = doc().getElementById(id)
        const frame = element?.ownerDocument.defaultView.frameElement.getBoundingClientRect()
        const target = element?.querySelector('sup') ?? element
        const rect = target?.getBoundingClientRect()
        if (!rect || rect.right + frame.left < 0 || rect.left + frame.left > innerWidth) return null
        return { x: rect.left + frame.left, y: rect.top + frame.top, width: rect.width, height: rect.height }
    },
    // Resolves when the pop-up for the next link followed is shown: its text.
    popupShown(timeout = 5000) {
        return new Promise(resolve => {
            const timer = setTimeout(() => resolve({ error: 'no pop-up' }), timeout)
            shown = detail => {
                clearTimeout(timer)
                shown = null
                if (detail.error) return resolve({ error: String(detail.error) })
                setTimeout(() => {
                    const popupDoc = detail.view.renderer.getContents()[0]?.doc
                    resolve({ type: detail.type, text: popupDoc?.body.textContent ?? '' })
                }, 300)
            }
        })
    },
    closePopup() { popup.hidden = true; popup.replaceChildren() },
    paragraphs: () => measureParagraphs(doc()),
    contrast: () => measureContrast(doc()),
}

// Each paragraph of the text that a reader sees after another: is it set off by an indent or space?
function measureParagraphs(d) {
    const visible = el => getComputedStyle(el).display !== 'none'
    const out = []
    for (const p of d.querySelectorAll('body p')) {
        if (p.closest('aside') || !visible(p)) continue
        let previous = p.previousElementSibling
        while (previous && !visible(previous)) previous = previous.previousElementSibling
        if (previous?.tagName.toLowerCase() !== 'p') continue
        const range = d.createRange()
        range.setStart(p.firstChild, 0)
        range.setEnd(p.firstChild, 1)
        const first = range.getClientRects()[0]
        const box = p.getClientRects()[0]
        const before = previous.getClientRects()
        // In another column or page, the space above does not show: the indent must.
        const gap = box.top - before[before.length - 1].bottom
        out.push({ text: p.textContent.slice(0, 40), indent: first.left - box.left, gap,
                   textIndent: getComputedStyle(p).textIndent, rects: p.getClientRects().length })
    }
    return out
}

// The contrast of every link and call with the page behind it, as WCAG computes it.
function measureContrast(d) {
    const rgb = value => value.match(/[\d.]+/g).slice(0, 3).map(Number)
    const luminance = ([r, g, b]) => [r, g, b].map(c => c / 255)
        .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0)
    const ratio = (a, b) => { const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05) }
    const behind = el => {
        for (let node = el; node; node = node.parentElement) {
            const colour = getComputedStyle(node).backgroundColor
            if (!/rgba\(.*, 0\)$|transparent/.test(colour)) return rgb(colour)
        }
        return rgb(getComputedStyle(d.body).backgroundColor)
    }
    return [...d.querySelectorAll('a, a sup')].filter(el => !el.closest('aside')).map(el => ({
        what: el.closest('a').className || 'link', text: el.textContent.slice(0, 20),
        ratio: ratio(rgb(getComputedStyle(el).color), behind(el)),
    }))
}
