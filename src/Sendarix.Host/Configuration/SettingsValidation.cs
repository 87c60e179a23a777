using System.ComponentModel.DataAnnotations;

namespace Sendarix.Host.Configuration;

/// <summary>Validates settings read before the service container exists (Orleans needs them to be wired).</summary>
internal static class SettingsValidation
{
    public static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        var value = configuration.GetSection(section).Get<T>() ?? new T();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
        {
            throw new InvalidOperationException($"Invalid configuration in {section}: {string.Join(" ", results.Select(r => r.ErrorMessage))}");
        }

        return value;
    }
}
