export declare const repositoryRoot: string;
export declare function packPackages(
  dirs: readonly string[],
  destination: string,
): Promise<Map<string, string>>;
export declare function installScratchApp(
  dir: string,
  options: {
    dependencies: readonly string[];
    tarballs?: Map<string, string>;
    files?: Record<string, string>;
  },
): Promise<void>;
export declare function installSize(dir: string): Promise<{ kib: number; packages: number }>;
