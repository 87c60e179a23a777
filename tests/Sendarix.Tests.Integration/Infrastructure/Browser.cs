using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// A headless Chromium (Debian's chromium and chromedriver, which infra/test.sh installs) driven by Selenium, with
/// waits on conditions and screenshots saved under docs/screenshots.
/// </summary>
internal sealed class Browser : IDisposable
{
    const string ChromiumPath = "/usr/bin/chromium";
    const string DriverPath = "/usr/bin/chromedriver";

    readonly ChromeDriver _driver;
    readonly Uri _base;

    public Browser(Uri baseAddress)
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(DriverPath))
        {
            throw new InvalidOperationException($"The browser tests need {ChromiumPath} and {DriverPath}: install Debian's chromium and chromium-driver (infra/test.sh does).");
        }

        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,900");
        var service = ChromeDriverService.CreateDefaultService(System.IO.Path.GetDirectoryName(DriverPath)!, System.IO.Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        _driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        _base = baseAddress;
    }

    public IWebDriver Driver => _driver;

    public string Path => new Uri(_driver.Url).PathAndQuery;

    public void Open(string path) => _driver.Navigate().GoToUrl(new Uri(_base, path));

    public IWebElement Find(string css) => Wait(d => d.FindElements(By.CssSelector(css)).FirstOrDefault(), $"an element '{css}'");

    public IReadOnlyList<IWebElement> All(string css) => _driver.FindElements(By.CssSelector(css));

    public T Wait<T>(Func<IWebDriver, T?> condition, string what, int seconds = 20)
    {
        var wait = new WebDriverWait(_driver, TimeSpan.FromSeconds(seconds)) { Message = $"waited {seconds} s for {what}" };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(d => condition(d))!;
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public void Until(Func<IWebDriver, bool> condition, string what, int seconds = 20) => Wait(d => condition(d) ? d : null, what, seconds);

    public void SignIn(string key)
    {
        Open("/dashboard");
        Until(d => d.Url.Contains("/dashboard/sign-in", StringComparison.Ordinal), "the sign-in page");
        // By keyboard: the key field, then Enter.
        Find("#key").SendKeys(key + Keys.Enter);
        Until(d => !d.Url.Contains("/dashboard/sign-in", StringComparison.Ordinal), "to be signed in");
    }

    /// <summary>
    /// What a screen reader and a keyboard need of the page: one main landmark and a heading, every form field with a
    /// label, every button and link with a name, no positive tabindex (the order is the document's). Throws naming what
    /// fails.
    /// </summary>
    public void AssertAccessible()
    {
        const string script = """
            const problems = [];
            if (document.querySelectorAll('main').length !== 1) problems.push('one <main> landmark');
            if (!document.querySelector('h1')) problems.push('an <h1>');
            if (!document.documentElement.lang) problems.push('a lang attribute');
            for (const field of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
              if (field.labels.length === 0 && !field.getAttribute('aria-label')) problems.push('a label for ' + (field.id || field.name));
            }
            for (const control of document.querySelectorAll('button, a[href]')) {
              if (!(control.textContent.trim() || control.getAttribute('aria-label'))) problems.push('a name for ' + control.outerHTML.substring(0, 80));
            }
            for (const element of document.querySelectorAll('[tabindex]')) {
              if (element.tabIndex > 0) problems.push('no positive tabindex on ' + element.tagName);
            }
            return problems.join('; ');
            """;
        var problems = (string)((IJavaScriptExecutor)_driver).ExecuteScript(script)!;
        if (problems.Length > 0)
        {
            throw new InvalidOperationException($"{Path} needs {problems}");
        }
    }

    /// <summary>Saves the page as docs/screenshots/{name}.png, for the README, once it passes <see cref="AssertAccessible"/> (a page of ours).</summary>
    public void Screenshot(string name, bool ours = true)
    {
        if (ours)
        {
            AssertAccessible();
        }

        var folder = System.IO.Path.Combine(Repository.Root, "docs", "screenshots");
        Directory.CreateDirectory(folder);
        _driver.GetScreenshot().SaveAsFile(System.IO.Path.Combine(folder, $"{name}.png"));
    }

    public void Dispose()
    {
        _driver.Quit();
        _driver.Dispose();
    }
}
