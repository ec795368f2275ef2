// Loads a nines HTML report in headless Chromium and checks that it looks right:
//   - the page loads with no console error or warning, no script error and no request for anything
//     but the file itself (the report is self-contained);
//   - it has the expected number of charts, each an inline <svg> drawn with a real size;
//   - the tables and the assumptions are there, and nothing is wider than the window at 1280 px;
//   - printed, nothing is wider than an A4 page;
//   - a full-page screenshot and a PDF of the print layout are saved as artefacts.
//
// usage: node check.mjs REPORT.html CHARTS SCREENSHOT.png [CHROMIUM]
import { chromium } from "playwright-core";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [report, chartsArg, screenshot, executable = "/usr/bin/chromium"] = process.argv.slice(2);
if (!report || !chartsArg || !screenshot) {
  console.error("usage: node check.mjs REPORT.html CHARTS SCREENSHOT.png [CHROMIUM]");
  process.exit(2);
}
const expectedCharts = Number(chartsArg);
const url = pathToFileURL(resolve(report)).href;
const problems = [];
const started = Date.now();

const browser = await chromium.launch({
  executablePath: executable,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("request", (r) => {
    if (r.url() !== url && !r.url().startsWith("data:")) problems.push(`requested ${r.url()}`);
  });
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  const response = await page.goto(url, { waitUntil: "load" });
  if (!response || !response.ok()) problems.push(`loading ${url} failed`);

  const facts = await page.evaluate(() => {
    const box = (e) => e.getBoundingClientRect();
    const svgs = [...document.querySelectorAll("figure.chart > svg")].map((s) => {
      const b = box(s);
      // Drawn content: the chart's shapes and text (not just an empty <svg>).
      return { w: b.width, h: b.height, shapes: s.querySelectorAll("rect, line, polyline, path, circle, text").length };
    });
    const wide = [...document.querySelectorAll(".scroll, pre, dl, figure")]
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${e.scrollWidth} > ${e.clientWidth} px) in "${e.closest("section")?.querySelector("h2")?.textContent}"`);
    return {
      title: document.title,
      svgs,
      allSvgs: document.querySelectorAll("svg").length,
      tables: document.querySelectorAll("table").length,
      headings: [...document.querySelectorAll("h2")].map((h) => h.textContent),
      assumptions: document.querySelector("dl.kv")?.textContent ?? "",
      pageWidth: document.documentElement.scrollWidth,
      windowWidth: window.innerWidth,
      wide,
    };
  });

  if (!facts.title.startsWith("nines report")) problems.push(`unexpected title ${JSON.stringify(facts.title)}`);
  if (facts.svgs.length !== expectedCharts || facts.allSvgs !== expectedCharts)
    problems.push(`expected ${expectedCharts} charts, found ${facts.svgs.length} (${facts.allSvgs} <svg> in all)`);
  facts.svgs.forEach((s, i) => {
    if (!(s.w >= 600 && s.h >= 200)) problems.push(`chart ${i + 1} is drawn ${s.w}×${s.h} px`);
    if (s.shapes < 20) problems.push(`chart ${i + 1} has only ${s.shapes} shapes`);
  });
  // The report of a run, or of a comparison or sweep (`nines compare`, `nines sweep`).
  const comparison = facts.headings.includes("Layouts side by side");
  if (facts.tables < (comparison ? 1 : 3)) problems.push(`only ${facts.tables} tables`);
  const sections = comparison
    ? ["Assumptions", "Layouts side by side", "Charts", "How to read this report", "Scenario files"]
    : ["Assumptions", "Scenario", "Services", "Charts", "How to read this report"];
  for (const h of sections)
    if (!facts.headings.includes(h)) problems.push(`no section "${h}" (sections: ${facts.headings.join(", ")})`);
  // The answer comes first, before the assumptions and the scenario (issue 23).
  if (facts.headings[0] !== "In short")
    problems.push(`the report does not open with "In short" (sections: ${facts.headings.join(", ")})`);
  const keys = comparison
    ? ["Replications", "Seed", "Mission", "nines version", "Layouts"]
    : ["Replications", "Seed", "Mission", "nines version", "Scenario file"];
  for (const k of keys)
    if (!facts.assumptions.includes(k)) problems.push(`assumptions lack ${k}`);
  if (facts.pageWidth > facts.windowWidth) problems.push(`the page is ${facts.pageWidth} px wide in a ${facts.windowWidth} px window`);
  for (const w of facts.wide) problems.push(`wider than the page: ${w}`);

  await page.screenshot({ path: screenshot, fullPage: true });

  // The print layout: an A4 page less Chromium's default margins is about 718 CSS pixels wide.
  await page.emulateMedia({ media: "print" });
  await page.setViewportSize({ width: 718, height: 1000 });
  const printWide = await page.evaluate(() =>
    [...document.querySelectorAll("table, pre, dl, figure")]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((e) => `${e.tagName.toLowerCase()} (${Math.round(e.getBoundingClientRect().right)} px) in "${e.closest("section")?.querySelector("h2")?.textContent}"`),
  );
  for (const w of printWide) problems.push(`wider than an A4 page in print: ${w}`);
  const pdf = screenshot.replace(/\.png$/, "") + ".pdf";
  await page.pdf({ path: pdf, format: "A4", printBackground: true });
  for (const f of [screenshot, pdf]) {
    if (!existsSync(f) || statSync(f).size < 20000) problems.push(`${f} is missing or nearly empty`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `browser: ${facts.svgs.length} charts (${facts.svgs.map((s) => `${Math.round(s.w)}×${Math.round(s.h)}`).join(", ")}), ` +
      `${facts.tables} tables, ${facts.headings.length} sections; screenshot ${screenshot} (${statSync(screenshot).size} bytes), ` +
      `PDF ${pdf} (${statSync(pdf).size} bytes); ${seconds}s`,
  );
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(`browser test of ${report} failed:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
