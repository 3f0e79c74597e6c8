using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GridActors.Grid;
using GridActors.Runtime;
using GridActors.Runtime.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GridActors.Grains.Tests;

public class WireContractTests
{
    public static TheoryData<string> GridMethods()
    {
        var data = new TheoryData<string>();
        foreach (var method in typeof(ITaskGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t) && t.Namespace == "GridActors.Grid")
            .SelectMany(t => t.GetMethods()))
        {
            data.Add($"{method.DeclaringType!.Name}.{method.Name}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GridMethods))]
    public void EveryArgumentAndResult_HasAJsonContractOnASilo(string name)
    {
        var services = new ServiceCollection();
        services.AddGridSilo().AddGridGrains();
        var json = new JsonSerializerOptions
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine([.. services.BuildServiceProvider().GetRequiredService<IOptions<SerializationOptions>>().Value.Resolvers]),
        };
        var method = typeof(ITaskGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface)
            .SelectMany(t => t.GetMethods())
            .Concat(typeof(IRemindable).GetMethods())
            .First(m => $"{m.DeclaringType!.Name}.{m.Name}" == name);
        var types = method.GetParameters().Select(p => p.ParameterType)
            .Concat(method.ReturnType.IsGenericType ? [method.ReturnType.GetGenericArguments()[0]] : []);

        Assert.All(types, type => Assert.NotNull(json.GetTypeInfo(type)));
    }
}
