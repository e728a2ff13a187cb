// Helm's own library (helm-java embeds Helm 3 as a native library) as a small command line,
// for scripts/helm.sh: there is no helm binary here.
//   template <chart> [--name N] [--namespace NS] [--kube-version V] [--values FILE]... [--set-file KEY=FILE]... [--set KEY=VALUE]...
//   lint <chart> [--strict]
//   dry-run <chart> [the template options but --name/--namespace]: the release as `helm install --dry-run` shows it (values, NOTES)
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.nio.file.Paths;

public class HelmCli {
  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: template|lint <chart> [options]");
      System.exit(2);
    }
    Path chart = Paths.get(args[1]);
    try {
      if (args[0].equals("lint")) {
        var lint = new Helm(chart).lint();
        for (int i = 2; i < args.length; i++) if (args[i].equals("--strict")) lint = lint.strict();
        LintResult result = lint.call();
        for (String message : result.getMessages()) System.out.println(message);
        System.exit(result.isFailed() ? 1 : 0);
      }
      if (args[0].equals("template")) {
        TemplateCommand template = new Helm(chart).template().withName("gatehouse").withNamespace("gatehouse");
        for (int i = 2; i < args.length; i += 2) {
          String option = args[i];
          String value = i + 1 < args.length ? args[i + 1] : "";
          switch (option) {
            case "--name" -> template = template.withName(value);
            case "--namespace" -> template = template.withNamespace(value);
            case "--kube-version" -> template = template.withKubeVersion(value);
            case "--values" -> template = template.withValuesFile(Paths.get(value));
            case "--set-file" -> template = template.setFile(value.substring(0, value.indexOf('=')), Paths.get(value.substring(value.indexOf('=') + 1)));
            case "--set" -> template = template.set(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
            default -> {
              System.err.println("unknown option " + option);
              System.exit(2);
            }
          }
        }
        System.out.print(template.call());
        System.exit(0);
      }
      if (args[0].equals("dry-run")) {
        var install = new Helm(chart).install().withName("gatehouse").withNamespace("gatehouse").dryRun().clientOnly().debug();
        for (int i = 2; i < args.length; i += 2) {
          String option = args[i];
          String value = i + 1 < args.length ? args[i + 1] : "";
          switch (option) {
            case "--kube-version" -> install = install.withKubeVersion(value);
            case "--values" -> install = install.withValuesFile(Paths.get(value));
            case "--set-file" -> install = install.setFile(value.substring(0, value.indexOf('=')), Paths.get(value.substring(value.indexOf('=') + 1)));
            case "--set" -> install = install.set(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
            default -> {
              System.err.println("unknown option " + option);
              System.exit(2);
            }
          }
        }
        System.out.print(install.call().getOutput());
        System.exit(0);
      }
      System.err.println("unknown command " + args[0]);
      System.exit(2);
    } catch (Exception error) {
      System.err.println(error.getMessage());
      System.exit(1);
    }
  }
}
