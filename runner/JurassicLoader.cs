using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace GridActors.Runner;

/// <summary>
/// Loads Jurassic with JavaScript's integer conversions working on .NET 9 and later.
/// Jurassic turns numbers into 32-bit integers (for <c>|</c>, <c>&amp;</c>, <c>&gt;&gt;&gt;</c> and friends)
/// with the IL instruction conv.u4, counting on its old wrap-around result. Since .NET 9 that
/// instruction saturates on x64, so <c>-1 &gt;&gt;&gt; 0</c> gives 0 and <c>-5 | 0</c> gives 0, which breaks
/// every hash and random-number generator written in JavaScript. Going through a 64-bit integer
/// first (conv.i8, then conv.u4) restores the wrap-around JavaScript needs for every number below
/// 2^63 in magnitude. The patch covers Jurassic's own conversion code and the IL it emits for
/// compiled scripts. A second patch teaches its JSON serializer the unsigned numbers it keeps array
/// lengths in (<see cref="PatchUnsignedNumbers"/>). The unmodified assembly is embedded in the runner; the patched copy is cached
/// in the temp folder so runners share one file.
/// </summary>
internal static class JurassicLoader
{
    private const int PatchVersion = 2;

#pragma warning disable CA2255 // The runner is an executable: it must hook assembly loading before any Jurassic type is touched.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => AssemblyLoadContext.Default.Resolving += Resolve;

    /// <summary>Rewrites Jurassic: every conv.u4 becomes conv.i8, conv.u4, in its code and in the IL it emits.</summary>
    internal static byte[] Patch(byte[] original)
    {
        using var module = ModuleDefinition.ReadModule(new MemoryStream(original));
        foreach (var type in module.GetTypes())
        {
            foreach (var method in type.Methods.Where(m => m.HasBody))
            {
                PatchConversions(method);
                if (type.Name == "ReflectionEmitILGenerator" && method.Name == "ConvertToUnsignedInteger")
                {
                    PatchEmitter(method);
                }

                if (type.Name == "JSONSerializer" && method.Name == "SerializePropertyValue")
                {
                    PatchUnsignedNumbers(module, method);
                }
            }
        }

        var patched = new MemoryStream();
        module.Write(patched);
        return patched.ToArray();
    }

    private static void PatchConversions(MethodDefinition method)
    {
        var il = method.Body.GetILProcessor();
        foreach (var instruction in method.Body.Instructions.Where(i => i.OpCode == OpCodes.Conv_U4).ToArray())
        {
            il.InsertBefore(instruction, il.Create(OpCodes.Conv_I8));
        }
    }

    // The method is "generator.Emit(OpCodes.Conv_U4)": it loads the generator, then the opcode, then
    // calls Emit. The same sequence with OpCodes.Conv_I8 goes in front of it.
    private static void PatchEmitter(MethodDefinition method)
    {
        var instructions = method.Body.Instructions;
        var load = instructions.Single(i => i.OpCode == OpCodes.Ldsfld && i.Operand is FieldReference { Name: "Conv_U4" });
        var index = instructions.IndexOf(load);
        var field = (FieldReference)load.Operand;
        var il = method.Body.GetILProcessor();
        var emit = instructions[index + 1];
        var prefix = instructions.Take(index).Select(i => Clone(il, i)).ToList();
        prefix.Add(il.Create(OpCodes.Ldsfld, new FieldReference("Conv_I8", field.FieldType, field.DeclaringType)));
        prefix.Add(Clone(il, emit));
        var first = instructions[0];
        foreach (var instruction in prefix)
        {
            il.InsertBefore(first, instruction);
        }
    }

    // Jurassic keeps an array's length (and what push and unshift return) as a uint, which its JSON
    // serializer does not know: JSON.stringify([1, 2].length) gave nothing and {n: a.length} gave
    // '{"n":}', so a module returning a length lost its result. The value is made a double first, as
    // every other number in the engine is.
    private static void PatchUnsignedNumbers(ModuleDefinition module, MethodDefinition method)
    {
        var il = method.Body.GetILProcessor();
        var first = method.Body.Instructions[0];
        var value = method.Parameters[0];
        Instruction[] prefix =
        [
            il.Create(OpCodes.Ldarg, value),
            il.Create(OpCodes.Isinst, module.TypeSystem.UInt32),
            il.Create(OpCodes.Brfalse, first),
            il.Create(OpCodes.Ldarg, value),
            il.Create(OpCodes.Unbox_Any, module.TypeSystem.UInt32),
            il.Create(OpCodes.Conv_R_Un),
            il.Create(OpCodes.Conv_R8),
            il.Create(OpCodes.Box, module.TypeSystem.Double),
            il.Create(OpCodes.Starg, value),
        ];
        foreach (var instruction in prefix)
        {
            il.InsertBefore(first, instruction);
        }
    }

    private static Instruction Clone(ILProcessor il, Instruction instruction) => instruction.Operand switch
    {
        null => il.Create(instruction.OpCode),
        FieldReference field => il.Create(instruction.OpCode, field),
        MethodReference method => il.Create(instruction.OpCode, method),
        _ => throw new InvalidOperationException($"Jurassic's emitter has an unexpected shape ({instruction}); the conversion patch needs updating."),
    };

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name != "Jurassic")
        {
            return null;
        }

        using var resource = typeof(JurassicLoader).Assembly.GetManifestResourceStream("Jurassic.dll")
            ?? throw new InvalidOperationException("The runner was built without its embedded Jurassic assembly.");
        var original = new byte[resource.Length];
        resource.ReadExactly(original);
        var cache = Path.Combine(Path.GetTempPath(), $"gridactors-jurassic-{Convert.ToHexStringLower(SHA256.HashData(original))[..16]}-p{PatchVersion}.dll");
        if (!File.Exists(cache))
        {
            var patched = Patch(original);
            try
            {
                var temporary = cache + "." + Environment.ProcessId;
                File.WriteAllBytes(temporary, patched);
                File.Move(temporary, cache, overwrite: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return context.LoadFromStream(new MemoryStream(patched));
            }
        }

        return context.LoadFromAssemblyPath(cache);
    }
}
